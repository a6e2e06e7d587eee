using System.Net;
using System.Xml.Linq;
using OnSale.Mocks.VenueBackend.Soap;
using OnSale.Mocks.VenueBackend.Tests.Support;
using OnSale.Tests.Common.VenueBackend;

namespace OnSale.Mocks.VenueBackend.Tests.Soap;

public sealed class WsdlDocumentTests : IAsyncLifetime
{
    private const string PlaceholderAddress = "<soap:address location=\"http://127.0.0.1:5090/VenueService.svc\"/>";
    private readonly HttpClient _http = new();
    private MockBackendHost _host = null!;

    public async Task InitializeAsync() => _host = await MockBackendHost.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Theory]
    [InlineData("?wsdl")]
    [InlineData("?singleWsdl")]
    [InlineData("?WSDL")]
    public async Task Get_WsdlQuery_ServesTheWsdlWithOnlyTheAddressRewritten(string query)
    {
        using var response = await _http.GetAsync(new Uri(_host.SoapUrl + query));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/xml", response.Content.Headers.ContentType!.MediaType);
        var expectedAddress = $"<soap:address location=\"{_host.SoapUrl}\"/>";
        Assert.Equal(Wsdl.Text().Replace(PlaceholderAddress, expectedAddress, StringComparison.Ordinal), text);
        Assert.NotEqual(Wsdl.Text(), text);
    }

    [Fact]
    public async Task Get_WsdlWithAnotherHostHeader_PointsTheAddressAtThatHost()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_host.SoapUrl + "?wsdl"));
        request.Headers.Host = "venue.example:8443";

        using var response = await _http.SendAsync(request);
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync());

        var address = document.Descendants(XName.Get("address", "http://schemas.xmlsoap.org/wsdl/soap/")).Single();
        Assert.Equal("http://venue.example:8443/VenueService.svc", address.Attribute("location")!.Value);
    }

    [Fact]
    public async Task Get_NoQuery_DoesNotServeTheWsdl()
    {
        using var response = await _http.GetAsync(_host.SoapUrl);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public void Render_AddressWithXmlSpecialCharacters_EscapesIt()
    {
        var rendered = new WsdlDocument().Render("http://h/a&b");

        Assert.Contains("<soap:address location=\"http://h/a&amp;b\"/>", rendered, StringComparison.Ordinal);
        Assert.NotNull(XDocument.Parse(rendered));
    }

    [Fact]
    public void Constructor_EmbeddedWsdl_HasTheContractsSchemaAndPlaceholderAddress()
    {
        var wsdl = new WsdlDocument();

        Assert.Contains(PlaceholderAddress, wsdl.Text, StringComparison.Ordinal);
        Assert.NotNull(Wsdl.Schemas.GlobalElements[new System.Xml.XmlQualifiedName("GetAvailabilityResponse", Wsdl.Tns)]);
    }
}
