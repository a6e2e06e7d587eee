using System.Text;
using FsCheck;
using FsCheck.Fluent;
using OnSale.Tests.Common.Generators;
using OnSale.Tests.Common.Http;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace OnSale.LegacyAdapters.Tests.Hostile;

/// <summary>
/// Mutations of valid answers (FsCheck, <see cref="HostileBytes.Mutations"/>), served over loopback by WireMock.Net:
/// whatever the bytes, the adapter either decodes a value or throws a <see cref="VenueBackendException"/> (with
/// HTTP 200, a <see cref="ProtocolErrorException"/>) — never XmlException, NullReferenceException,
/// InvalidCastException or anything else a caller would not expect.
/// </summary>
public sealed class MutatedResponseTests : IDisposable
{
    private const int Cases = 150;

    private readonly WireMockServer _server = WireMockLoopback.Start();

    public static TheoryData<VenueBackendProtocol> Protocols => [VenueBackendProtocol.Soap, VenueBackendProtocol.XmlRpc];

    public void Dispose() => _server.Dispose();

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task GetAvailability_MutatedAnswer_DecodesOrThrowsVenueBackendException(VenueBackendProtocol protocol)
    {
        var (backend, services) = TestBackends.Create(protocol, new Uri(_server.Url + "/endpoint"));
        await using var _ = services;
        var original = Gen.Constant(Encoding.UTF8.GetBytes(WireSamples.Availability(protocol)));
        var (decoded, refused) = (0, 0);

        var property = Prop.ForAll(HostileBytes.Mutations(original), Gen.Elements(200, 500).ToArbitrary(), async (mutation, status) =>
        {
            _server.ResetMappings();
            _server.Given(Request.Create().UsingPost()).RespondWith(Response.Create()
                .WithStatusCode(status).WithHeader("Content-Type", "text/xml; charset=utf-8").WithBody(mutation.Apply()));
            try
            {
                var zones = await backend.GetAvailabilityAsync(1001);
                Assert.All(zones, z => Assert.NotNull(z.Name));
                decoded++;
            }
            catch (VenueBackendException ex) when (status != 200 || ex is ProtocolErrorException)
            {
                refused++;
            }
        });
        await Task.Run(() => Check.One(PropertyRuns.Config(Cases), property));

        Assert.Equal(Cases, decoded + refused);
        Assert.True(refused > Cases / 2, $"only {refused} of {Cases} mutations were refused: the mutator is too gentle to test anything");
    }
}
