using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace OnSale.LegacyAdapters.Tests.Hostile;

/// <summary>
/// Seeded random mutations of valid answers (SharpFuzz and FsCheck cannot be restored here): whatever the bytes, the
/// adapter either decodes a value or throws a <see cref="VenueBackendException"/> — never XmlException,
/// NullReferenceException, InvalidCastException or anything else a caller would not expect.
/// </summary>
public sealed class MutatedResponseTests
{
    private const int Cases = 400;

    public static TheoryData<VenueBackendProtocol, int> Seeds => new()
    {
        { VenueBackendProtocol.Soap, 20261122 },
        { VenueBackendProtocol.XmlRpc, 20261122 },
        { VenueBackendProtocol.Soap, 7 },
        { VenueBackendProtocol.XmlRpc, 7 },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task GetAvailability_MutatedAnswer_DecodesOrThrowsVenueBackendException(VenueBackendProtocol protocol, int seed)
    {
        var random = new Random(seed);
        var original = Encoding.UTF8.GetBytes(WireSamples.Availability(protocol));
        var handler = new ScriptedHandler();
        var services = new ServiceCollection();
        services.AddVenueBackend(o =>
        {
            o.Protocol = protocol;
            o.Url = new Uri("http://backend.invalid/endpoint");
        }).HttpClient.ConfigurePrimaryHttpMessageHandler(() => handler);
        await using var provider = services.BuildServiceProvider();
        var backend = provider.GetRequiredService<IVenueBackend>();

        var (decoded, refused) = (0, 0);
        for (var i = 0; i < Cases; i++)
        {
            handler.Body = Mutate(original, random);
            handler.Status = random.Next(4) == 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK;
            try
            {
                var zones = await backend.GetAvailabilityAsync(1001);
                Assert.All(zones, z => Assert.NotNull(z.Name));
                decoded++;
            }
            catch (VenueBackendException)
            {
                refused++;
            }
        }

        Assert.Equal(Cases, decoded + refused);
        Assert.True(refused > Cases / 2, $"only {refused} of {Cases} mutations were refused: the mutator is too gentle to test anything");
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Pick(random, "<", ">", "&", "&amp;", "]]>", "<!DOCTYPE x>", "<value>", "</struct>", "\0", "-")));
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    var digitAt = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digitAt >= 0)
                    {
                        bytes.InsertRange(digitAt, Encoding.UTF8.GetBytes(Pick(random, "9999999999", "-", "x", " ", "1.5")));
                    }

                    break;
                default:
                    var copyFrom = random.Next(bytes.Count);
                    var length = Math.Min(random.Next(1, 80), bytes.Count - copyFrom);
                    bytes.InsertRange(at, bytes.GetRange(copyFrom, length));
                    break;
            }

            if (bytes.Count == 0)
            {
                break;
            }
        }

        return [.. bytes];
    }

    private static string Pick(Random random, params string[] options) => options[random.Next(options.Length)];

    private sealed class ScriptedHandler : HttpMessageHandler
    {
        public byte[] Body { get; set; } = [];

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Body);
            content.Headers.ContentType = new("text/xml") { CharSet = "utf-8" };
            return Task.FromResult(new HttpResponseMessage(Status) { Content = content });
        }
    }
}
