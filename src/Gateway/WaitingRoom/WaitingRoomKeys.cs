using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// The token signing keys: from configuration (<c>Gateway:WaitingRoom:SigningKeys</c>; the first signs, all verify),
/// or, when none is configured, one generated once and kept in the settings store protected with ASP.NET Core Data
/// Protection, so that queue places survive a restart of this node while a copy of the database alone signs nothing.
/// The key ring lives where the embedded store puts it (<c>{DataPath}/keys</c>). A store shared by several nodes
/// (Redis) generates the key once for all of them instead (<see cref="ISharedSigningKey"/>), so that a token from any
/// node is valid on every node with nothing configured.
/// </summary>
internal sealed partial class WaitingRoomKeys(
    IOptions<WaitingRoomOptions> options,
    ISettingsStore settings,
    IDataProtectionProvider protection,
    TimeProvider time,
    ILogger<WaitingRoomKeys> logger,
    ISharedSigningKey? shared = null)
{
    /// <summary>Where versions before the key was protected kept it, in plain base64: read once, then erased.</summary>
    private const string PlainKeySetting = "waitingroom.signing-key";
    private const string ProtectedKeySetting = "waitingroom.signing-key.protected";
    private const string Purpose = "OnSale.Gateway.WaitingRoom.SigningKey.v1";

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

        if (shared is not null)
        {
            _secrets = [("shared", await shared.GetOrCreateAsync(cancellationToken))];
            _tokens = new QueueTokens(_secrets, time);
            return;
        }

        var protector = protection.CreateProtector(Purpose);
        var secret = await ReadProtectedAsync(protector, cancellationToken);
        var plain = await settings.GetAsync(PlainKeySetting, cancellationToken);
        if (secret is null && plain is not null)
        {
            // The same key, so that tokens issued before the upgrade stay valid.
            secret = Convert.FromBase64String(plain);
            await settings.SetAsync(ProtectedKeySetting, Convert.ToBase64String(protector.Protect(secret)), cancellationToken);
            LogKeyProtected(logger);
        }

        if (plain is not null)
        {
            // Only once the protected copy is stored: a crash in between leaves the plain one to be erased next time.
            await settings.EraseAsync(PlainKeySetting, cancellationToken);
        }

        if (secret is null)
        {
            secret = RandomNumberGenerator.GetBytes(32);
            await settings.SetAsync(ProtectedKeySetting, Convert.ToBase64String(protector.Protect(secret)), cancellationToken);
            LogGeneratedKey(logger);
        }

        _secrets = [("local", secret)];
        _tokens = new QueueTokens(_secrets, time);
    }

    /// <summary>
    /// Whether the key this node signs with is the one kept for every node and for after a restart, in words for the
    /// on-sale readiness checklist: one store read (and an unprotect), no backend call.
    /// </summary>
    public async Task<(bool Ok, string Detail)> CheckKeptAsync(CancellationToken cancellationToken)
    {
        if (_secrets is not { Count: > 0 } secrets)
        {
            return (false, "The signing keys are not loaded yet: this node is still starting.");
        }

        if (options.Value.SigningKeys.Count > 0)
        {
            return (true, $"Tokens are signed with the {secrets.Count} key(s) of Gateway:WaitingRoom:SigningKeys: every node must be given the same ones.");
        }

        var secret = secrets[0].Secret;
        if (shared is not null)
        {
            return await shared.ReadAsync(cancellationToken) switch
            {
                null => (false, "No signing key is kept in Redis (was it emptied?): a node that starts now makes another one and refuses this node's tokens. Restart every node so that they share one."),
                var kept when CryptographicOperations.FixedTimeEquals(kept, secret) => (true, "The signing key kept in Redis is the one this node signs with: a token from any node is valid on every node."),
                _ => (false, "The signing key kept in Redis is not the one this node signs with (Redis was emptied or replaced since it started): the other nodes refuse its tokens. Restart this node."),
            };
        }

        var stored = await settings.GetAsync(ProtectedKeySetting, cancellationToken);
        if (stored is null)
        {
            return (false, "The signing key is not kept in the store: after a restart every queue place and access token would be refused.");
        }

        try
        {
            return CryptographicOperations.FixedTimeEquals(protection.CreateProtector(Purpose).Unprotect(Convert.FromBase64String(stored)), secret)
                ? (true, "The signing key is kept on disk in the store, protected by the Data Protection key ring: queue places and access tokens survive a restart.")
                : (false, "The signing key kept in the store is not the one this node signs with: after a restart its tokens would be refused.");
        }
        catch (CryptographicException)
        {
            return (false, "The signing key kept in the store cannot be read with this key ring (is the keys folder in Gateway:DataPath missing?): after a restart every token would be refused.");
        }
    }

    private async Task<byte[]?> ReadProtectedAsync(IDataProtector protector, CancellationToken cancellationToken)
    {
        var stored = await settings.GetAsync(ProtectedKeySetting, cancellationToken);
        if (stored is null)
        {
            return null;
        }

        try
        {
            return protector.Unprotect(Convert.FromBase64String(stored));
        }
        catch (CryptographicException ex)
        {
            // The key ring is gone or is another one: the key cannot be read by anyone. A new one lets the gateway run;
            // tokens signed with the old one get 401 and their holders join again.
            LogKeyUnreadable(logger, ex);
            return null;
        }
    }

    [LoggerMessage(EventIds.WaitingRoomKeyGenerated, LogLevel.Warning, "No Gateway:WaitingRoom:SigningKeys configured: generated a signing key for this node and kept it in the store, protected by the Data Protection key ring. Configure shared keys before running several nodes")]
    private static partial void LogGeneratedKey(ILogger logger);

    [LoggerMessage(EventIds.WaitingRoomKeyProtected, LogLevel.Information, "The generated signing key kept in plain text by an earlier version is now protected by the Data Protection key ring; the plain copy is erased")]
    private static partial void LogKeyProtected(ILogger logger);

    [LoggerMessage(EventIds.WaitingRoomKeyUnreadable, LogLevel.Error, "The stored signing key cannot be unprotected (the Data Protection key ring is missing or not this one): generating a new key, so queue and access tokens issued before are refused")]
    private static partial void LogKeyUnreadable(ILogger logger, Exception exception);
}

/// <summary>A signing key generated once for every node of one gateway and kept by the store they share.</summary>
internal interface ISharedSigningKey
{
    /// <summary>The key: the one already kept, or a new one kept now if none was (the first node to ask wins).</summary>
    Task<byte[]> GetOrCreateAsync(CancellationToken cancellationToken);

    /// <summary>The key kept now, or <see langword="null"/> when none is (the store was emptied since).</summary>
    Task<byte[]?> ReadAsync(CancellationToken cancellationToken);
}
