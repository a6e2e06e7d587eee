using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// The token signing keys: from configuration (<c>Gateway:WaitingRoom:SigningKeys</c>; the first signs, all verify),
/// or, when none is configured, one generated once and kept in the embedded store so that queue places survive a
/// restart of this node. Several nodes must share configured keys.
/// </summary>
internal sealed partial class WaitingRoomKeys(IOptions<WaitingRoomOptions> options, ISettingsStore settings, TimeProvider time, ILogger<WaitingRoomKeys> logger)
{
    private const string GeneratedKeySetting = "waitingroom.signing-key";
    private QueueTokens? _tokens;
    private IReadOnlyList<(string Id, byte[] Secret)>? _secrets;

    public QueueTokens Tokens => _tokens ?? throw new InvalidOperationException("The waiting room's keys are not loaded yet.");

    /// <summary>The keys themselves, the first signing: hot on-sales derive their own keys from them.</summary>
    public IReadOnlyList<(string Id, byte[] Secret)> Secrets => _secrets ?? throw new InvalidOperationException("The waiting room's keys are not loaded yet.");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.SigningKeys;
        if (configured.Count > 0)
        {
            _secrets = [.. configured.Select(k => (k.Id, Encoding.UTF8.GetBytes(k.Secret!)))];
            _tokens = new QueueTokens(_secrets, time);
            return;
        }

        var secret = await settings.GetAsync(GeneratedKeySetting, cancellationToken);
        if (secret is null)
        {
            secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            await settings.SetAsync(GeneratedKeySetting, secret, cancellationToken);
            LogGeneratedKey(logger);
        }

        _secrets = [("local", Convert.FromBase64String(secret))];
        _tokens = new QueueTokens(_secrets, time);
    }

    [LoggerMessage(EventIds.WaitingRoomKeyGenerated, LogLevel.Warning, "No Gateway:WaitingRoom:SigningKeys configured: generated a signing key for this node and kept it in the embedded store. Configure shared keys before running several nodes")]
    private static partial void LogGeneratedKey(ILogger logger);
}
