using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Purchasing;
using StackExchange.Redis;

namespace OnSale.Gateway.Storage.Redis;

/// <summary>
/// The purchase journal in Redis, shared by every node. A purchase is a hash (its JSON and its arrival number); its
/// idempotency key points at it. Parked and processing purchases are entries of one Redis Stream read by one consumer
/// group: the node holding the replay lease (<see cref="RedisReplayLease"/>) reads them in arrival order, and settling
/// a purchase acknowledges and deletes its entry in the same script that writes it. When the lease moves (its holder
/// died), the new holder claims the dead one's unacknowledged entries (<c>XAUTOCLAIM</c>); a purchase whose checkout
/// may have reached the backend says so in its record, so the replay asks FindOrder before anything else. A purchase
/// left live by a node that died mid-request is handed to the replay once that node is no longer alive.
/// Every write is one script (atomic); a settled purchase, with its key and email, expires after
/// <see cref="PurchasingOptions.EmailRetention"/>. A purchase with an email is listed, by arrival, in a sorted set per
/// email (named by a hash of the email, trimmed and lower-cased) that the insert writes and the erasure of the email
/// (<see cref="EraseEmailsAsync"/>) or the purchase's deletion clears. Every key carries the hash tag
/// <c>{purchases}</c>, so that the scripts run on Redis Cluster too (all on one shard).
/// </summary>
internal sealed partial class RedisPurchaseJournal(
    RedisConnection redis,
    RedisReplayLease lease,
    ThisNode self,
    TimeProvider time,
    IOptions<PurchasingOptions> options,
    ILogger<RedisPurchaseJournal> logger) : IPurchaseJournal
{
    public const string Tag = RedisConnection.Prefix + "{purchases}:";
    public const string Stream = Tag + "replay";
    public const string Group = "replay";
    public const string Promised = Tag + "promised";
    private const string PurchasePrefix = Tag + "purchase:";
    private const string KeyPrefix = Tag + "key:";
    private const string Pending = Tag + "pending";
    private const string Live = Tag + "live";
    private const string Entries = Tag + "entry";
    private const string Sequence = Tag + "seq";
    private const string Sold = Tag + "sold";
    private const string Failed = Tag + "failed";
    private const string EmailPrefix = Tag + "email:";
    private const string EmailsDue = Tag + "emails-due";

    /// <summary>The most purchases one email's index lists (the newest): support reads at most 50.</summary>
    internal const int MaxPerEmail = 500;

    /// <summary>
    /// Places purchase ARGV[1] by its kind ARGV[2] (live, pending, done, aside, gone): live purchases are listed with
    /// their node (ARGV[3]); pending ones are in the arrival-ordered set and have a stream entry; the others have
    /// neither, their entry acknowledged and deleted. Seats promised to pending purchases without a hold are counted per
    /// zone (ARGV[6] "performance:zone", ARGV[7] quantity, ARGV[8] 1 if it has a hold). A settled one expires after
    /// ARGV[5] ms with its key (KEYS[6]), and its email (ARGV[10], its hash; empty without one) falls due for erasure
    /// from then (ARGV[11], ms), kept as "hash:id" in KEYS[10]. A confirmed one adds its seats to its performance's
    /// (ARGV[14]) seats sold (KEYS[11]) once; a failed or set-aside one (ARGV[13] its status) goes first in the list of
    /// the last 100 failures (KEYS[12]).
    /// KEYS: 1 purchase, 2 pending, 3 live, 4 stream, 5 entries, 6 idempotency key, 7 sequence, 8 promised, 9 the email's
    /// index, 10 emails due, 11 sold, 12 failed.
    /// </summary>
    private const string Place = """
        local function place(seq)
          local id, kind = ARGV[1], ARGV[2]
          if kind == 'live' then redis.call('HSET', KEYS[3], id, ARGV[3]) else redis.call('HDEL', KEYS[3], id) end
          if kind == 'pending' then
            if redis.call('ZADD', KEYS[2], seq, id) == 1 and ARGV[8] ~= '1' then
              redis.call('HINCRBY', KEYS[8], ARGV[6], ARGV[7])
            end
            if redis.call('HEXISTS', KEYS[5], id) == 0 then
              redis.call('HSET', KEYS[5], id, redis.call('XADD', KEYS[4], '*', 'id', id))
            end
          else
            if redis.call('ZREM', KEYS[2], id) == 1 and ARGV[8] ~= '1' then
              if redis.call('HINCRBY', KEYS[8], ARGV[6], -tonumber(ARGV[7])) <= 0 then redis.call('HDEL', KEYS[8], ARGV[6]) end
            end
            local entry = redis.call('HGET', KEYS[5], id)
            if entry then
              redis.call('XACK', KEYS[4], 'replay', entry)
              redis.call('XDEL', KEYS[4], entry)
              redis.call('HDEL', KEYS[5], id)
            end
          end
          if ARGV[13] == 'confirmed' then
            if redis.call('HSETNX', KEYS[1], 'sold', 1) == 1 then redis.call('HINCRBY', KEYS[11], ARGV[14], ARGV[7]) end
          elseif ARGV[13] == 'failed' or ARGV[13] == 'needssupport' then
            redis.call('LREM', KEYS[12], 0, id)
            redis.call('LPUSH', KEYS[12], id)
            redis.call('LTRIM', KEYS[12], 0, 99)
          end
          if kind == 'done' then
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            redis.call('PEXPIRE', KEYS[6], ARGV[5])
            if ARGV[10] ~= '' then redis.call('ZADD', KEYS[10], 'NX', ARGV[11], ARGV[10] .. ':' .. id) end
          end
        end
        """;

    private const string InsertScript = Place + """

        if redis.call('EXISTS', KEYS[6]) == 1 then return redis.error_reply('ONSALE_DUPLICATE_KEY the idempotency key is taken') end
        local seq = redis.call('INCR', KEYS[7])
        redis.call('HSET', KEYS[1], 'd', ARGV[4], 's', seq)
        redis.call('SET', KEYS[6], ARGV[1])
        if ARGV[10] ~= '' then
          redis.call('ZADD', KEYS[9], seq, ARGV[1])
          redis.call('ZREMRANGEBYRANK', KEYS[9], 0, -(ARGV[12] + 1))
        end
        place(seq)
        return seq
        """;

    private const string UpdateScript = Place + """

        local seq = redis.call('HGET', KEYS[1], 's')
        if not seq then return redis.error_reply('ONSALE_MISSING the purchase is not in the journal') end
        redis.call('HSET', KEYS[1], 'd', ARGV[4])
        place(seq)
        return tonumber(seq)
        """;

    private const string DeleteScript = Place + """

        place(0)
        redis.call('DEL', KEYS[1])
        if ARGV[10] ~= '' then
          redis.call('ZREM', KEYS[9], ARGV[1])
          redis.call('ZREM', KEYS[10], ARGV[10] .. ':' .. ARGV[1])
        end
        if redis.call('GET', KEYS[6]) == ARGV[1] then redis.call('DEL', KEYS[6]) end
        return 1
        """;

    /// <summary>Only if the purchase is still live on the node given (ARGV[3] the dead node, ARGV[9] the new JSON): hand it to the replay.</summary>
    private const string RecoverScript = Place + """

        if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[9] then return 0 end
        local seq = redis.call('HGET', KEYS[1], 's')
        if not seq then redis.call('HDEL', KEYS[3], ARGV[1]) return 0 end
        redis.call('HSET', KEYS[1], 'd', ARGV[4])
        place(seq)
        return 1
        """;

    /// <summary>
    /// Takes purchase ARGV[1] out of its email's index (KEYS[2]) and the emails due (KEYS[3], member ARGV[2]), and
    /// writes it without its email (ARGV[4]) only if it is still as read (ARGV[3]): the key keeps its expiry.
    /// </summary>
    private const string EraseEmailScript = """
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[2])
        if ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'd') == ARGV[3] then redis.call('HSET', KEYS[1], 'd', ARGV[4]) end
        return 1
        """;

    private int _groupReady;
    private DateTimeOffset _nextRecovery;
    private int _lastCount;

    public async Task<Purchase?> GetAsync(string purchaseId, CancellationToken cancellationToken)
    {
        var fields = await redis.RunAsync(db => db.HashGetAsync(PurchasePrefix + purchaseId, ["d", "s"]));
        return Read(fields);
    }

    public async Task<Purchase?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        var id = await redis.RunAsync(db => db.StringGetAsync(KeyPrefix + idempotencyKey));
        return id.IsNullOrEmpty ? null : await GetAsync(id!, cancellationToken);
    }

    /// <summary>
    /// From the email's index, newest first. An entry whose purchase has expired is dropped from the index as it is
    /// met; one whose email was erased is not there any more.
    /// </summary>
    public async Task<IReadOnlyList<Purchase>> FindByEmailAsync(string email, int limit, CancellationToken cancellationToken)
    {
        var hash = EmailHash(email);
        var index = EmailIndex(hash);
        var ids = (await redis.RunAsync(db => db.SortedSetRangeByRankAsync(index, 0, limit - 1, Order.Descending))).Select(id => (string)id!).ToList();
        var found = await ReadAllAsync(ids);
        var gone = ids.Except(found.Select(p => p.PurchaseId), StringComparer.Ordinal).Select(id => (RedisValue)id).ToArray();
        if (gone.Length > 0)
        {
            await redis.RunAsync(db => db.SortedSetRemoveAsync(index, gone));
        }

        return [.. found.Where(p => p.Email is not null && EmailHash(p.Email) == hash)];
    }

    public async Task<Purchase> InsertAsync(Purchase purchase, CancellationToken cancellationToken)
    {
        await EnsureGroupAsync();
        purchase = Erased(purchase);
        var seq = await RunScriptAsync(InsertScript, purchase, Kind(purchase.Status));
        return purchase with { Sequence = seq };
    }

    public async Task UpdateAsync(Purchase purchase, CancellationToken cancellationToken)
    {
        await EnsureGroupAsync();
        await RunScriptAsync(UpdateScript, Erased(purchase), Kind(purchase.Status));
    }

    public async Task DeleteAsync(string purchaseId, CancellationToken cancellationToken)
    {
        if (await GetAsync(purchaseId, cancellationToken) is { } purchase)
        {
            await RunScriptAsync(DeleteScript, purchase, "gone");
        }
    }

    /// <summary>
    /// Hands to the replay the purchases left live by nodes that are gone (killed mid-request): their checkout may have
    /// reached the backend, so they go as processing, which starts with FindOrder. Live purchases of nodes still alive
    /// are theirs. Runs at start-up and, on the replaying node, every few seconds.
    /// </summary>
    public async Task<int> RecoverInterruptedAsync(CancellationToken cancellationToken)
    {
        var live = await redis.RunAsync(db => db.HashGetAllAsync(Live));
        if (live.Length == 0)
        {
            return 0;
        }

        var alive = await RedisNodeRegistry.AliveAsync(redis, time.GetUtcNow());
        var recovered = 0;
        foreach (var entry in live)
        {
            var node = (string)entry.Value!;
            if (node == self.Id || alive.Contains(node) || await GetAsync((string)entry.Name!, cancellationToken) is not { Status: PurchaseStatus.Live } purchase)
            {
                continue;
            }

            var processing = purchase with { Status = PurchaseStatus.Processing, UpdatedAt = time.GetUtcNow() };
            if (await RunScriptAsync(RecoverScript, processing, "pending", extra: node) == 1)
            {
                recovered++;
                LogRecovered(logger, purchase.PurchaseId, node);
            }
        }

        return recovered;
    }

    /// <summary>
    /// The cluster's count, or while Redis does not answer the last count it gave: the status page and the metrics go on
    /// answering during an outage (readiness says Redis is down).
    /// </summary>
    public async Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var count = (int)await redis.RunAsync(db => db.SortedSetLengthAsync(Pending));
            Volatile.Write(ref _lastCount, count);
            return count;
        }
        catch (StoreUnavailableException)
        {
            return Volatile.Read(ref _lastCount);
        }
    }

    public async Task<IReadOnlyList<Purchase>> GetPendingAsync(int limit, CancellationToken cancellationToken)
    {
        var ids = await redis.RunAsync(db => db.SortedSetRangeByRankAsync(Pending, 0, limit == int.MaxValue ? -1 : limit - 1));
        return await ReadAllAsync(ids.Select(id => (string)id!));
    }

    /// <summary>
    /// On the node holding the replay lease: first what was handed to it and not settled yet (its pending entries, in
    /// arrival order), then new entries, up to <paramref name="limit"/>; an entry whose purchase is settled or gone is
    /// acknowledged and dropped. Right after taking the lease, it claims the last holder's unsettled entries. Other
    /// nodes get nothing.
    /// </summary>
    public async Task<IReadOnlyList<Purchase>> TakeForReplayAsync(int limit, CancellationToken cancellationToken)
    {
        if (!lease.IsHeld && !await lease.TryHoldAsync())
        {
            return [];
        }

        await EnsureGroupAsync();
        if (lease.TakeOverPending())
        {
            await ClaimLeftOversAsync();
        }

        if (time.GetUtcNow() >= _nextRecovery)
        {
            _nextRecovery = time.GetUtcNow() + RedisNodeRegistry.Forget;
            await RecoverInterruptedAsync(cancellationToken);
        }

        var entries = new List<StreamEntry>(await ReadGroupAsync("0", limit));
        if (entries.Count < limit)
        {
            entries.AddRange(await ReadGroupAsync(StreamPosition.NewMessages, limit - entries.Count));
        }

        var result = new List<Purchase>(entries.Count);
        foreach (var entry in entries)
        {
            var id = entry.IsNull ? RedisValue.Null : entry["id"];
            var purchase = id.IsNullOrEmpty ? null : await GetAsync(id!, cancellationToken);
            if (purchase is { Status: PurchaseStatus.Parked or PurchaseStatus.Processing })
            {
                result.Add(purchase);
            }
            else
            {
                await redis.RunAsync(async db =>
                {
                    await db.StreamAcknowledgeAsync(Stream, Group, entry.Id);
                    return await db.StreamDeleteAsync(Stream, [entry.Id]);
                });
            }
        }

        return result;
    }

    /// <summary>
    /// Settled purchases expire from Redis, with their email and client address, <see cref="PurchasingOptions.EmailRetention"/>
    /// after they settle (set by the write that settles them). What is left here is the email's index: the purchases
    /// that fell due are taken out of it, the longest settled first, and one that has not expired yet (Redis's clock
    /// and the gateway's may differ) is written without its email and client address.
    /// </summary>
    public async Task<int> EraseEmailsAsync(DateTimeOffset settledBefore, int limit, CancellationToken cancellationToken)
    {
        var due = await redis.RunAsync(db => db.SortedSetRangeByScoreAsync(EmailsDue, double.NegativeInfinity, settledBefore.ToUnixTimeMilliseconds(), take: limit));
        foreach (var member in due)
        {
            var (hash, id) = ((string)member!).Split(':', 2) is [var h, var i] ? (h, i) : (string.Empty, (string)member!);
            var fields = await redis.RunAsync(db => db.HashGetAsync(PurchasePrefix + id, ["d", "s"]));
            var erased = Read(fields) is { Email: not null } purchase
                ? JsonSerializer.Serialize(purchase with { Sequence = 0, Email = null, ClientKey = null }, RedisJsonContext.Default.Purchase)
                : string.Empty;
            RedisKey[] keys = [PurchasePrefix + id, EmailIndex(hash), EmailsDue];
            RedisValue[] values = [id, member, erased.Length == 0 ? string.Empty : fields[0], erased];
            await redis.RunAsync(db => db.ScriptEvaluateAsync(EraseEmailScript, keys, values));
        }

        return due.Length;
    }

    public async Task<PurchaseOutcomes> ReadOutcomesAsync(int recentFailures, CancellationToken cancellationToken)
    {
        var sold = await redis.RunAsync(db => db.HashGetAllAsync(Sold));
        var ids = recentFailures <= 0 ? [] : await redis.RunAsync(db => db.ListRangeAsync(Failed, 0, recentFailures - 1));

        // A failure whose purchase has expired since (EmailRetention after it settled), or that support has settled since, is no longer told.
        var failures = await ReadAllAsync(ids.Select(id => (string)id!));
        return new PurchaseOutcomes(
            sold.ToDictionary(e => (int)e.Name, e => (int)e.Value),
            [.. failures.Where(p => p.Status is PurchaseStatus.Failed or PurchaseStatus.NeedsSupport)]);
    }

    private async Task<StreamEntry[]> ReadGroupAsync(RedisValue position, int count)
    {
        try
        {
            return await redis.RunAsync(db => db.StreamReadGroupAsync(Stream, Group, self.Id, position, count));
        }
        catch (StoreUnavailableException ex) when (ex.InnerException?.Message.Contains("NOGROUP", StringComparison.Ordinal) == true)
        {
            // Redis lost the group (restarted without persistence): make it again, from the start of what is there.
            Interlocked.Exchange(ref _groupReady, 0);
            await EnsureGroupAsync();
            return await redis.RunAsync(db => db.StreamReadGroupAsync(Stream, Group, self.Id, position, count));
        }
    }

    /// <summary>Claims every entry other consumers were handed and did not settle, and forgets consumers left with none.</summary>
    private async Task ClaimLeftOversAsync()
    {
        RedisValue start = "0-0";
        var claimed = 0;
        do
        {
            var from = start;
            var result = await redis.RunAsync(db => db.StreamAutoClaimIdsOnlyAsync(Stream, Group, self.Id, 0, from, 500));
            claimed += result.ClaimedIds.Length;
            start = result.NextStartId;
        }
        while (start != "0-0");

        foreach (var consumer in await redis.RunAsync(db => db.StreamConsumerInfoAsync(Stream, Group)))
        {
            if (consumer.Name != self.Id && consumer.PendingMessageCount == 0)
            {
                await redis.RunAsync(db => db.StreamDeleteConsumerAsync(Stream, Group, consumer.Name));
            }
        }

        if (claimed > 0)
        {
            LogClaimed(logger, claimed);
        }
    }

    private async Task EnsureGroupAsync()
    {
        if (Volatile.Read(ref _groupReady) == 1)
        {
            return;
        }

        try
        {
            await redis.RunAsync(db => db.StreamCreateConsumerGroupAsync(Stream, Group, "0-0", createStream: true));
        }
        catch (StoreUnavailableException ex) when (ex.InnerException?.Message.Contains("BUSYGROUP", StringComparison.Ordinal) == true)
        {
            // Made already, by this node or another.
        }

        Interlocked.Exchange(ref _groupReady, 1);
    }

    private async Task<long> RunScriptAsync(string script, Purchase purchase, string kind, string? extra = null)
    {
        var emailHash = purchase.Email is null ? string.Empty : EmailHash(purchase.Email);
        RedisKey[] keys =
        [
            PurchasePrefix + purchase.PurchaseId, Pending, Live, Stream, Entries, KeyPrefix + purchase.IdempotencyKey, Sequence, Promised,
            EmailIndex(emailHash), EmailsDue, Sold, Failed,
        ];
        RedisValue[] values =
        [
            purchase.PurchaseId,
            kind,
            self.Id,
            JsonSerializer.Serialize(purchase with { Sequence = 0 }, RedisJsonContext.Default.Purchase),
            (long)options.Value.EmailRetention.TotalMilliseconds,
            string.Create(CultureInfo.InvariantCulture, $"{purchase.PerformanceId}:{purchase.ZoneId}"),
            purchase.Quantity,
            purchase.HoldId is null ? 0 : 1,
            extra ?? string.Empty,
            emailHash,
            purchase.UpdatedAt.ToUnixTimeMilliseconds(),
            MaxPerEmail,
            purchase.Status.ToString().ToLowerInvariant(),
            purchase.PerformanceId,
        ];
        try
        {
            return (long)await redis.RunAsync(db => db.ScriptEvaluateAsync(script, keys, values));
        }
        catch (StoreUnavailableException ex) when (ex.InnerException is RedisServerException server && server.Message.StartsWith("ONSALE_DUPLICATE_KEY", StringComparison.Ordinal))
        {
            throw new IdempotencyKeyTakenException($"Purchase {purchase.PurchaseId}: {server.Message}", server);
        }
        catch (StoreUnavailableException ex) when (ex.InnerException is RedisServerException server && server.Message.StartsWith("ONSALE_", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Purchase {purchase.PurchaseId}: {server.Message}", server);
        }
    }

    /// <summary>As the embedded journal: a settled or set-aside purchase keeps neither its payment token nor its session.</summary>
    private static Purchase Erased(Purchase purchase) =>
        purchase.Status is PurchaseStatus.Confirmed or PurchaseStatus.Failed or PurchaseStatus.NeedsSupport
            ? purchase with { PaymentToken = null, SessionKey = null }
            : purchase;

    private static string Kind(PurchaseStatus status) => status switch
    {
        PurchaseStatus.Live => "live",
        PurchaseStatus.Parked or PurchaseStatus.Processing => "pending",
        PurchaseStatus.NeedsSupport => "aside",
        _ => "done",
    };

    private async Task<IReadOnlyList<Purchase>> ReadAllAsync(IEnumerable<string> ids)
    {
        var reads = ids.Select(id => redis.RunAsync(db => db.HashGetAsync(PurchasePrefix + id, ["d", "s"]))).ToList();
        var result = new List<Purchase>(reads.Count);
        foreach (var read in reads)
        {
            if (Read(await read) is { } purchase)
            {
                result.Add(purchase);
            }
        }

        return result;
    }

    /// <summary>A purchase without an email is in no index: its key is never written.</summary>
    private static RedisKey EmailIndex(string emailHash) => EmailPrefix + emailHash;

    /// <summary>The email trimmed and lower-cased, hashed: the index's name, without the address in the clear.</summary>
    private static string EmailHash(string email) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    private static Purchase? Read(RedisValue[] fields) =>
        fields[0].IsNullOrEmpty
            ? null
            : JsonSerializer.Deserialize((string)fields[0]!, RedisJsonContext.Default.Purchase)! with { Sequence = (long)fields[1] };

    [LoggerMessage(EventIds.RedisPurchaseRecovered, LogLevel.Warning, "Purchase {PurchaseId} was left live by node {Node}, which is gone: handed to the replay, which asks the box office first whether it was bought")]
    private static partial void LogRecovered(ILogger logger, string purchaseId, string node);

    [LoggerMessage(EventIds.RedisPurchasesClaimed, LogLevel.Warning, "Claimed {Count} parked purchases the last replaying node had been handed and had not settled")]
    private static partial void LogClaimed(ILogger logger, int count);
}
