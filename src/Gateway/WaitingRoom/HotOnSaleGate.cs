using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>What a join to a hot performance brought with it, read from the request; checked inside the join.</summary>
internal sealed class HotJoin(HotOnSaleGate gate, int performanceId, string client, string? proof, string? identity)
{
    public int PerformanceId { get; } = performanceId;

    public string Client { get; } = client;

    public string? Proof { get; } = proof;

    public string? Identity { get; } = identity;

    /// <summary>The checks of a new place (see <see cref="HotOnSaleGate"/>): a pass to join with, or the problem.</summary>
    public ValueTask<(HotPass? Pass, Problem? Problem)> AdmitAsync(IRoom room, DateTimeOffset now) => gate.AdmitAsync(this, room, now);
}

/// <summary>A join the gate let through: the identity's own place id, if any; told afterwards whether a place was made.</summary>
internal sealed class HotPass(UInt128? entryId, Action<bool> complete)
{
    public UInt128? EntryId { get; } = entryId;

    public void Complete(bool created) => complete(created);
}

/// <summary>
/// The door of a hot performance's line, for joins without a queue token (a valid one keeps its place, as always). In
/// order, cheapest first: a venue-signed identity (required when configured; a given one must be valid) → a solved,
/// unspent challenge for this performance → the client's places under <see cref="HotOnSaleOptions.PlacesPerClient"/>.
/// An identity that already has its place gets it back at once, as a queue token would. Each refusal is a problem with
/// its own code, and every outcome is counted in <c>onsale.waitingroom.hot_joins</c>.
/// </summary>
internal sealed partial class HotOnSaleGate
{
    private readonly HotOnSales _hot;
    private readonly ProofOfWork _proofOfWork;
    private readonly VenueIdentities _identities;
    private readonly IOptions<HotOnSaleOptions> _options;
    private readonly ClientPlaces _places = new();
    private readonly Counter<long> _joins;
    private readonly ILogger<HotOnSaleGate> _logger;
    private int _ledgerFull;

    public HotOnSaleGate(
        HotOnSales hot, ProofOfWork proofOfWork, VenueIdentities identities, IOptions<HotOnSaleOptions> options, GatewayMetrics metrics, ILogger<HotOnSaleGate> logger)
    {
        _hot = hot;
        _logger = logger;
        _proofOfWork = proofOfWork;
        _identities = identities;
        _options = options;
        _joins = metrics.Meter.CreateCounter<long>(
            "onsale.waitingroom.hot_joins", "{join}", "Joins of hot performances without a queue token, by result: admitted, rejoined, or the problem code.");
    }

    /// <summary>Null when the performance is not hot: the join goes on exactly as for any other.</summary>
    public HotJoin? For(int performanceId, HttpContext context) =>
        !_hot.IsHot(performanceId)
            ? null
            : new HotJoin(this, performanceId, ClientKeys.Of(context), Single(context, ProofOfWork.Header), Single(context, VenueIdentities.Header));

    /// <summary>Places taken from one client in one performance.</summary>
    public int PlacesOf(int performanceId, string client) => _places.Count(performanceId, client);

    internal async ValueTask<(HotPass? Pass, Problem? Problem)> AdmitAsync(HotJoin join, IRoom room, DateTimeOffset now)
    {
        var o = _options.Value;
        VerifiedIdentity? identity = null;
        if (join.Identity is not null || o.RequireIdentity)
        {
            (identity, var failure) = _identities.Verify(join.Identity, join.PerformanceId);
            if (failure != IdentityFailure.None)
            {
                return Refuse(IdentityProblem(failure));
            }
        }

        // Like a queue token, the identity's own place is given back without a new challenge or another count.
        if (identity is { } known && (await room.PollAsync(known.EntryId, now, TimeSpan.Zero, 0)).View is not null)
        {
            return (new HotPass(known.EntryId, _ => _joins.Add(1, new KeyValuePair<string, object?>("result", "rejoined"))), null);
        }

        var (claim, proof) = _proofOfWork.Check(join.Proof, join.PerformanceId);
        if (proof != ProofOfWorkFailure.None)
        {
            return Refuse(ProofProblem(proof, join.PerformanceId));
        }

        var reserved = _places.TryReserve(join.PerformanceId, join.Client, o.PlacesPerClient);
        if (!reserved)
        {
            return Refuse(new Problem(403, "too_many_places", "Too many places from this connection.",
                $"This address (or IPv6 /64) already holds {o.PlacesPerClient} places in this performance's line, the most one connection may take for this on-sale. " +
                "If you already joined, use the queueToken you were given to keep your place."));
        }

        proof = _proofOfWork.Spend(claim);
        if (proof != ProofOfWorkFailure.None)
        {
            _places.Release(join.PerformanceId, join.Client);
            if (proof == ProofOfWorkFailure.LedgerFull && Interlocked.Exchange(ref _ledgerFull, 1) == 0)
            {
                LogLedgerFull(_logger, o.MaxRememberedChallenges);
            }

            return Refuse(ProofProblem(proof, join.PerformanceId));
        }

        Volatile.Write(ref _ledgerFull, 0);
        return (new HotPass(identity?.EntryId, created =>
        {
            if (!created)
            {
                _places.Release(join.PerformanceId, join.Client);
            }

            _joins.Add(1, new KeyValuePair<string, object?>("result", created ? "admitted" : "rejoined"));
        }), null);
    }

    private (HotPass? Pass, Problem? Problem) Refuse(Problem problem)
    {
        _joins.Add(1, new KeyValuePair<string, object?>("result", problem.Code));
        return (null, problem);
    }

    private Problem ProofProblem(ProofOfWorkFailure failure, int performanceId)
    {
        if (failure == ProofOfWorkFailure.LedgerFull)
        {
            return new Problem(503, "queue_busy", "The queue is very busy.",
                "Too many people are joining this line at once for us to check more right now. Try again after the Retry-After; solve a new challenge first.")
            {
                RetryAfter = _proofOfWork.LedgerRetryAfter,
            };
        }

        var bits = _options.Value.ProofOfWorkBits;
        var why = failure switch
        {
            ProofOfWorkFailure.Missing => "This on-sale is protected: each new place in line needs a solved challenge.",
            ProofOfWorkFailure.Expired => "The challenge has expired.",
            ProofOfWorkFailure.Reused => "This solved challenge has already been used: each one buys one place.",
            ProofOfWorkFailure.WrongPerformance => "The challenge is for another performance.",
            ProofOfWorkFailure.Unsolved => $"The nonce does not solve the challenge: the SHA-256 of {{challenge}}:{{nonce}} must start with {bits} zero bits.",
            _ => "The header is not a challenge from this gateway followed by a colon and a nonce.",
        };
        return new Problem(428, "proof_of_work_required", "Solve a challenge to join this line.",
            $"{why} Get one from GET /api/v1/performances/{performanceId}/queue/challenge, find a nonce (1 to {ProofOfWork.MaxNonceLength} letters, digits, - or _) " +
            $"such that the SHA-256 of {{challenge}}:{{nonce}} starts with {bits} zero bits, and join again with the header {ProofOfWork.Header}: {{challenge}}:{{nonce}}.")
        {
            Extensions = new Dictionary<string, object?> { ["reason"] = Reason(failure.ToString()) },
        };
    }

    private static Problem IdentityProblem(IdentityFailure failure)
    {
        if (failure == IdentityFailure.Missing)
        {
            return new Problem(403, "identity_required", "Sign in to join this line.",
                $"For this on-sale the venue gives one place in line per account: sign in on the venue's website, which passes your signed identity on (header {VenueIdentities.Header}).");
        }

        var why = failure switch
        {
            IdentityFailure.Expired => "has expired: reload the venue's page (sign in again if asked)",
            IdentityFailure.WrongPerformance => "is for another performance",
            IdentityFailure.UnknownVenue => "names a venue that has no identity secret on this gateway",
            IdentityFailure.Forged => "is not signed with the venue's identity secret",
            _ => "is not in the form {venue}.{performance}.{account}.{expires}.{signature}",
        };
        return new Problem(403, "invalid_identity", "Your sign-in could not be confirmed.", $"The identity sent with this join {why}.")
        {
            Extensions = new Dictionary<string, object?> { ["reason"] = Reason(failure.ToString()) },
        };
    }

    /// <summary><c>WrongPerformance</c> → <c>wrong_performance</c>.</summary>
    private static string Reason(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));

    [LoggerMessage(EventIds.HotChallengeLedgerFull, LogLevel.Warning, "Hot on-sales: {Capacity} spent challenges are remembered and none has expired yet; joins get 503 queue_busy until some expire (Gateway:WaitingRoom:Hot:MaxRememberedChallenges)")]
    private static partial void LogLedgerFull(ILogger logger, int capacity);

    private static string? Single(HttpContext context, string header)
    {
        var values = context.Request.Headers[header];
        return values.Count == 1 ? values[0] : null;
    }
}

/// <summary>
/// Places per client per hot performance, counted when a place is made and never given back (a place that ended
/// still was one). One counter per client holding a place, so never more entries than places. In memory: a restart
/// starts the count again.
/// </summary>
internal sealed class ClientPlaces
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(int PerformanceId, string Client), int> _counts = [];

    public int Count(int performanceId, string client)
    {
        lock (_gate)
        {
            return _counts.GetValueOrDefault((performanceId, client));
        }
    }

    public bool TryReserve(int performanceId, string client, int limit)
    {
        lock (_gate)
        {
            var count = _counts.GetValueOrDefault((performanceId, client));
            if (count >= limit)
            {
                return false;
            }

            _counts[(performanceId, client)] = count + 1;
            return true;
        }
    }

    public void Release(int performanceId, string client)
    {
        lock (_gate)
        {
            var key = (performanceId, client);
            if (_counts.TryGetValue(key, out var count))
            {
                if (count <= 1)
                {
                    _counts.Remove(key);
                }
                else
                {
                    _counts[key] = count - 1;
                }
            }
        }
    }
}
