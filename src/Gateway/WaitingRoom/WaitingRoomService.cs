using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Availability;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Resilience;

namespace OnSale.Gateway.WaitingRoom;

/// <summary>
/// The waiting rooms of all performances: joining, status, access checks for holds and purchases, and the admission
/// rounds run by <see cref="AdmissionWorker"/>. Places are written to the store before a join is answered.
/// </summary>
internal sealed partial class WaitingRoomService(
    AvailabilityService availability,
    IWaitingRoomStore store,
    IRoomFactory factory,
    WaitingRoomKeys keys,
    IBackendHealthSource health,
    BackendBudget budget,
    BackendResilience resilience,
    IShuffleRandom shuffle,
    AdmissionPauses pauses,
    TimeProvider time,
    IOptions<WaitingRoomOptions> options,
    IOptions<RateLimitOptions> rateLimits,
    ILogger<WaitingRoomService> logger) : IBuyerAccess, IQueueStatusSource
{
    private readonly ConcurrentDictionary<int, IRoom> _rooms = new();
    private readonly ConcurrentDictionary<int, bool> _wasActive = new();
    private readonly SemaphoreSlim _roomCreation = new(1, 1);
    private double _pollFloorSeconds;

    private WaitingRoomOptions Options => options.Value;

    private QueueTokens Tokens => keys.Tokens;

    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var room in await factory.RestoreAsync(cancellationToken))
        {
            _rooms[room.PerformanceId] = room;
        }
    }

    /// <summary>A new place, or the caller's own (queue token); <paramref name="hot"/> is the door of a hot performance.</summary>
    public async Task<(QueueAnswer? Answer, Problem? Problem)> JoinAsync(int performanceId, string? queueToken, CancellationToken cancellationToken, HotJoin? hot = null)
    {
        UInt128? existing = null;
        if (queueToken is not null)
        {
            if (Tokens.Verify(queueToken, TokenKind.Queue, performanceId) is not { } claims)
            {
                return (null, InvalidToken("This queue token is not valid for this performance. Join again without it."));
            }

            existing = claims.EntryId;
        }

        var (room, problem) = await GetOrCreateRoomAsync(performanceId, cancellationToken);
        if (room is null)
        {
            return (null, problem);
        }

        HotPass? pass = null;
        if (existing is null && hot is not null)
        {
            (pass, problem) = await hot.AdmitAsync(room, time.GetUtcNow());
            if (pass is null)
            {
                return (null, problem);
            }
        }

        var (view, created) = await room.JoinAsync(existing ?? pass?.EntryId, pass?.EntryId, time.GetUtcNow(), pauses.IsPaused(performanceId));
        pass?.Complete(created is not null);
        if (existing is not null && created is not null)
        {
            // A genuine token for a place this room no longer knows (its data was wiped): say so rather than guess.
            return (null, InvalidToken("This place in line no longer exists. Join again without the token."));
        }

        if (created is not null)
        {
            await store.SavePlaceAsync(created, CancellationToken.None);
        }

        return (Answer(performanceId, view), null);
    }

    /// <summary>
    /// A status check. In memory it completes at once (nothing in it waits); in a room shared by a cluster it is one
    /// round trip to the store, and a room made by another node is found there.
    /// </summary>
    public ValueTask<(QueueAnswer? Answer, Problem? Problem)> StatusAsync(int performanceId, string? queueToken)
    {
        if (Tokens.Verify(queueToken, TokenKind.Queue, performanceId) is not { } claims)
        {
            return ValueTask.FromResult<(QueueAnswer?, Problem?)>((null, NoPlace()));
        }

        if (!_rooms.TryGetValue(performanceId, out var room))
        {
            return StatusElsewhereAsync(performanceId, queueToken!, claims);
        }

        var limits = rateLimits.Value;
        var poll = room.PollAsync(claims.EntryId, time.GetUtcNow(), TimeSpan.FromMinutes(1) / limits.StatusPollsPerMinute, limits.StatusPollBurst);
        return poll.IsCompletedSuccessfully
            ? ValueTask.FromResult(StatusAnswer(performanceId, queueToken!, claims, poll.Result))
            : AwaitStatusAsync(performanceId, queueToken!, claims, poll);
    }

    private async ValueTask<(QueueAnswer? Answer, Problem? Problem)> AwaitStatusAsync(
        int performanceId, string queueToken, TokenClaims claims, ValueTask<(EntryView? View, TimeSpan? Throttled)> poll) =>
        StatusAnswer(performanceId, queueToken, claims, await poll);

    private async ValueTask<(QueueAnswer? Answer, Problem? Problem)> StatusElsewhereAsync(int performanceId, string queueToken, TokenClaims claims)
    {
        if (await factory.FindAsync(performanceId, CancellationToken.None) is not { } room)
        {
            return (null, NoPlace());
        }

        room = _rooms.GetOrAdd(performanceId, room);
        var limits = rateLimits.Value;
        return StatusAnswer(performanceId, queueToken, claims,
            await room.PollAsync(claims.EntryId, time.GetUtcNow(), TimeSpan.FromMinutes(1) / limits.StatusPollsPerMinute, limits.StatusPollBurst));
    }

    private static Problem NoPlace() => InvalidToken("Send the queueToken from joining as a Bearer token, for this performance.");

    private (QueueAnswer? Answer, Problem? Problem) StatusAnswer(int performanceId, string queueToken, TokenClaims claims, (EntryView? View, TimeSpan? Throttled) poll)
    {
        if (poll is not ({ } view, var throttled))
        {
            return (null, NoPlace());
        }

        if (throttled is { } wait)
        {
            // Seen all the same: an eager poller keeps their turn.
            return (null, new Problem(429, "rate_limited", "Too many status checks.",
                "This place in line asked for its status too often. Wait for the Retry-After before asking again; you keep your place.")
            {
                RetryAfter = wait,
            });
        }

        // The token presented goes back as it is while it has more than half its lifetime left: signing a new one on
        // every poll would cost an HMAC each for nothing.
        var reuse = claims.ExpiresAt - time.GetUtcNow() > Options.QueueTokenLifetime / 2 ? queueToken : null;
        return (Answer(performanceId, view, reuse), null);
    }

    public string ScopeOf(int performanceId, BuyerCredentials who) =>
        Tokens.Verify(who.AccessToken, TokenKind.Access, performanceId) is { } claims
            ? "e:" + claims.EntryId.ToString("x32", CultureInfo.InvariantCulture)
            : "c:" + who.ClientKey;

    public async Task<(Buyer? Buyer, Problem? Problem)> AdmitAsync(int performanceId, BuyerCredentials who, int seats, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_rooms.TryGetValue(performanceId, out var room))
        {
            // Nobody queued yet: before the sale everyone must wait in the lobby; after it opens, the room is made now so
            // that direct buyers get a place (and a fair share) like joiners do.
            var list = await availability.GetPerformancesAsync(cancellationToken);
            var performance = list?.Performances.FirstOrDefault(p => p.Id == performanceId);
            if (performance is null)
            {
                return (null, null);
            }

            if (performance.OnSaleAt > now)
            {
                return (null, InvalidToken($"The sale opens at {performance.OnSaleAt:u}. Join the queue: everyone who joins before then gets a random place."));
            }

            (room, _) = await GetOrCreateRoomAsync(performanceId, cancellationToken);
            if (room is null)
            {
                return (null, null);
            }
        }

        var claims = Tokens.Verify(who.AccessToken, TokenKind.Access, performanceId);
        var view = claims is { } c ? (await room.PollAsync(c.EntryId, now, TimeSpan.Zero, 0)).View : null;
        SpendResult spent;
        Buyer buyer;
        if (view is { State: EntryState.Admitted } admitted)
        {
            spent = await room.SpendAsync(admitted.EntryId, seats, Options.SeatsPerBuyer, now);
            buyer = new Buyer(performanceId, admitted.EntryId, who.ClientKey);
        }
        else
        {
            // No place in line: while the room is not in use the client buys from a share of its own.
            spent = await room.SpendAsClientAsync(who.ClientKey, seats, Options.SeatsPerBuyer, now, pauses.IsPaused(performanceId));
            buyer = new Buyer(performanceId, null, who.ClientKey);
            if (spent.Outcome == SpendOutcome.NotAdmitted && view is { } ended
                && await room.SpendAsync(ended.EntryId, seats, Options.SeatsPerBuyer, now) is { Outcome: SpendOutcome.OverBudget } used)
            {
                spent = used; // Their turn is over and so is their share: say the second, it is the one that matters.
            }
        }

        if (spent.Changed is { } changed)
        {
            // Written before the seats are asked for: a restart must not hand the same buyer a second share.
            await store.SaveEntriesAsync([changed], CancellationToken.None);
        }

        return spent.Outcome switch
        {
            SpendOutcome.Spent => (buyer, null),
            SpendOutcome.OverBudget => (null, SeatLimitReached(Options.SeatsPerBuyer, spent.Left)),
            _ => (null, InvalidToken(view is null
                ? "The waiting room is in use for this performance: join the queue and use the accessToken you get when admitted."
                : "Your time to buy has ended. Join the queue again.")),
        };
    }

    public void Refund(Buyer buyer, int seats)
    {
        if (_rooms.TryGetValue(buyer.PerformanceId, out var room))
        {
            Quietly(buyer.PerformanceId, buyer.EntryId is { } entryId
                ? room.RefundAsync(entryId, seats)
                : WithoutChange(room.RefundClientAsync(buyer.ClientKey, seats)));
        }
    }

    private static async ValueTask<StoredEntry?> WithoutChange(ValueTask done)
    {
        await done;
        return null;
    }

    public void ReleaseIfSoldOut(int performanceId, UInt128 entryId)
    {
        if (_rooms.TryGetValue(performanceId, out var room) && room.SoldOut)
        {
            Release(performanceId, entryId);
        }
    }

    public void Release(int performanceId, UInt128 entryId)
    {
        if (_rooms.TryGetValue(performanceId, out var room))
        {
            Quietly(performanceId, room.ReleaseAsync(entryId, time.GetUtcNow()));
        }
    }

    /// <summary>
    /// Best effort, off the request's path: in memory the change is in force when this returns, in a shared room as soon
    /// as the store has it; if its write is lost, the place frees when its access window ends (a release) or keeps the
    /// seats it had taken (a refund: errs towards fewer).
    /// </summary>
    private void Quietly(int performanceId, ValueTask<StoredEntry?> change)
    {
        if (change.IsCompletedSuccessfully)
        {
            if (change.Result is { } changed)
            {
                Log(store.SaveEntriesAsync([changed], CancellationToken.None));
            }

            return;
        }

        Log(SaveAsync(change));

        async Task SaveAsync(ValueTask<StoredEntry?> pending)
        {
            if (await pending is { } changed)
            {
                await store.SaveEntriesAsync([changed], CancellationToken.None);
            }
        }

        void Log(Task write) => _ = write.ContinueWith(
            t => LogReleaseNotSaved(logger, performanceId, t.Exception!.GetBaseException()),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    /// <summary>
    /// The pace of admission: the purchases per second the backend budget can complete now, shared evenly by the rooms
    /// with people waiting; stopped while purchases queue for the backend (more than a second of its calls) or while the
    /// backend is in trouble (breaker open or isolated, calls failing other than "busy" above the target ratio).
    /// </summary>
    private AdmissionPace Pace(int sharing)
    {
        // A quarter of a second of the budget's calls already waiting is a line: a purchase makes two or three calls
        // within its deadline of a few seconds, each of them waiting its turn.
        const double QueuedShare = 0.25;
        var b = budget.Snapshot();
        var h = health.Snapshot();
        var failing = h.Calls > 0 && (double)(h.Failures - h.Busy) / h.Calls > Options.FailureRatioTarget;
        return new AdmissionPace(
            b.PurchasesPerSecond / Math.Max(1, sharing),
            Queued: b.WaitingPurchases > QueuedShare * b.CallsPerSecond,
            Backlog: h.Backlog,
            Trouble: failing || resilience.IsRefusingCalls);
    }

    /// <summary>One admission round for every room.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        foreach (var made in await factory.MadeElsewhereAsync(_rooms.Keys, cancellationToken))
        {
            _rooms.TryAdd(made.PerformanceId, made);
        }

        var pace = Pace(_rooms.Values.Count(r => r.Opened && r.Figures.Waiting > 0));
        var pollers = 0;
        foreach (var room in _rooms.Values)
        {
            // Once open: the lobby has no places to weigh the seats against, and no read of its own to spend.
            room.SeatsLeft = room.Opened ? await SeatsLeftAsync(room.PerformanceId, cancellationToken) : null;
            var soldOut = room.SeatsLeft == 0;
            var result = await room.TickAsync(time.GetUtcNow(), soldOut, pace with { Paused = pauses.IsPaused(room.PerformanceId) }, shuffle);
            var (waiting, lobby, _, _, _) = room.Figures;
            pollers += waiting + lobby;
            if (result.Opened)
            {
                await store.SaveRoomAsync(new StoredRoom(room.PerformanceId, room.OpensAt, Opened: true), cancellationToken);
                LogLobbyOpened(logger, room.PerformanceId, result.Placed);
            }

            if (result.Changed.Count > 0)
            {
                await store.SaveEntriesAsync(result.Changed, cancellationToken);
            }

            if (result.Limit != result.PreviousLimit)
            {
                LogLimitChanged(logger, room.PerformanceId, result.PreviousLimit, result.Limit);
            }

            if (_wasActive.TryGetValue(room.PerformanceId, out var was) ? was != room.IsActive : room.IsActive)
            {
                var figures = room.Figures;
                if (room.IsActive)
                {
                    LogActivated(logger, room.PerformanceId, figures.Active, figures.Waiting);
                }
                else
                {
                    LogDeactivated(logger, room.PerformanceId, figures.Active);
                }
            }

            _wasActive[room.PerformanceId] = room.IsActive;
        }

        // Everyone who polls, asked to wait at least this long on average: together they send four fifths of the budget,
        // which leaves the rest for the seconds in which more of them happen to ask at once.
        Volatile.Write(ref _pollFloorSeconds, pollers / (BudgetAimed * Options.StatusChecksPerSecond));
    }

    /// <summary>The share of the status budget that polling buyers are paced to on average.</summary>
    internal const double BudgetAimed = 0.8;

    /// <summary>
    /// The shortest wait a polling buyer is told (seconds, before jitter): the buyers in line and in the lobby divided by
    /// <see cref="BudgetAimed"/> of <see cref="WaitingRoomOptions.StatusChecksPerSecond"/>, as of the last admission round.
    /// </summary>
    public double PollFloorSeconds => Volatile.Read(ref _pollFloorSeconds);

    public int BuyersExpected(TimeSpan within)
    {
        // Lobbies only: once a sale is open, the backend's budget is the crowd's, not the prefetcher's.
        var horizon = time.GetUtcNow() + within;
        return _rooms.Values.Where(r => !r.Opened && r.OpensAt <= horizon).Sum(r => r.Figures.Lobby);
    }

    public IReadOnlyList<QueueStatus> Snapshot() =>
    [
        .. _rooms.Values.OrderBy(r => r.PerformanceId).Select(r =>
        {
            var f = r.Figures;
            return new QueueStatus(r.PerformanceId, r.IsActive, r.Opened, r.SoldOut, f.Waiting, f.Lobby, f.Active, f.Limit, Math.Round(f.Rate, 2))
            {
                Paused = pauses.IsPaused(r.PerformanceId),
            };
        }),
    ];

    /// <summary>
    /// Whether seats of <paramref name="performanceId"/> are promised to purchases still waiting for the backend: those
    /// that fail give their seats back, and a "sold out" may turn back into a line that moves.
    /// </summary>
    public bool SeatsMayReturn(int performanceId) => availability.HasPromises(performanceId);

    /// <summary>
    /// When to ask again, in seconds, following what can change for this buyer, with ±20 % jitter so that pollers do not
    /// synchronise:
    /// <list type="bullet">
    /// <item>waiting while support paused admission: <see cref="PausedSeconds"/>, whatever the place (nothing moves, but
    /// the line starting again is news);</item>
    /// <item>waiting: 2 s when their turn is near (50 places or 20 s away); otherwise a tenth of the wait, between 3 and
    /// <see cref="NewsWithinSeconds"/>: whatever their place, the seats running out is news they must hear within
    /// seconds, and so is a line that starts moving;</item>
    /// <item>lobby: a quarter of the time to the opening, 2 to 30 s; sold out: 5 s while seats may come back (purchases
    /// in flight), else 15 s; admitted 30 s (they are buying); expired 60 s.</item>
    /// </list>
    /// Whoever waits (line, lobby, sold out) is told at least <paramref name="floorSeconds"/>
    /// (<see cref="PollFloorSeconds"/>) on average, ±50 %, so that everyone polling together stays within the stated
    /// budget.
    /// </summary>
    internal static int RetryAfterSeconds(QueueAnswer answer, DateTimeOffset now, bool seatsMayReturn = false, double floorSeconds = 0)
    {
        double seconds = answer.State switch
        {
            "lobby" when answer.OpensAt is { } opens => Math.Clamp((opens - now).TotalSeconds / 4, 2, 30),
            "waiting" when answer.Paused is true => PausedSeconds,
            "waiting" when answer.Position is <= 50 || answer.EstimatedWaitSeconds is <= 20 => 2,
            "waiting" => Math.Clamp((answer.EstimatedWaitSeconds ?? 60) / 10.0, 3, NewsWithinSeconds),
            "admitted" => 30,
            "sold_out" => seatsMayReturn ? 5 : 15,
            _ => 60,
        };
        var spread = 0.2;
        if (answer.State is "waiting" or "lobby" or "sold_out" && floorSeconds > seconds)
        {
            // The budget sets the pace: spread wider (±50 %), so that buyers who joined in one burst stop asking in
            // waves after a poll or two, and the busiest second stays near the mean.
            seconds = floorSeconds;
            spread = 0.5;
        }

        return Math.Max(1, (int)Math.Round(seconds * (1 - spread + (Random.Shared.NextDouble() * 2 * spread))));
    }

    /// <summary>The longest a waiting buyer is told to wait (before jitter and the budget's floor).</summary>
    internal const double NewsWithinSeconds = 6;

    /// <summary>What a waiting buyer of a paused performance is told to wait (before jitter and the budget's floor).</summary>
    internal const double PausedSeconds = 5;

    private QueueAnswer Answer(int performanceId, EntryView view, string? queueToken = null)
    {
        queueToken ??= Tokens.Sign(TokenKind.Queue, performanceId, view.EntryId, time.GetUtcNow() + Options.QueueTokenLifetime);
        return view.State switch
        {
            EntryState.Lobby => new QueueAnswer("lobby", queueToken, null, null, view.OpensAt, null, null,
                "The sale has not opened yet. Everyone here when it opens gets a random place in line, ahead of later arrivals."),
            EntryState.Waiting when view.SoldOut => new QueueAnswer("sold_out", queueToken, view.Position, null, null, null, null,
                "As far as we know, everything is sold. Keep this page open: if seats come back, you keep your place.")
            {
                SeatsLeft = 0,
            },
            EntryState.Waiting when pauses.PausedMessage(performanceId) is { } why => WithOdds(
                new QueueAnswer("waiting", queueToken, view.Position, null, null, null, null, null), view.Odds) with
            {
                Paused = true,
                Message = why, // why the line is not moving comes first, before the odds
            },
            EntryState.Waiting => WithOdds(
                new QueueAnswer("waiting", queueToken, view.Position,
                    view.AdmissionsPerSecond is { } rate ? (int)Math.Ceiling(view.Position!.Value / rate) : null, null, null, null,
                    "You are in line. Keep this page open; we will let you in when it is your turn."),
                view.Odds),
            EntryState.Admitted => new QueueAnswer("admitted", queueToken, null, null, null,
                Tokens.Sign(TokenKind.Access, performanceId, view.EntryId, view.AccessExpiresAt!.Value), view.AccessExpiresAt,
                "It is your turn. Choose your seats before the time runs out."),
            EntryState.Done => new QueueAnswer("expired", queueToken, null, null, null, null, view.AccessExpiresAt,
                "Your turn is over. To buy more, join the queue again."),
            EntryState.Abandoned => new QueueAnswer("expired", queueToken, null, null, null, null, null,
                "You were away when your turn came. Join the queue again."),
            _ => new QueueAnswer("expired", queueToken, null, null, null, null, view.AccessExpiresAt,
                "Your time to buy ran out. Join the queue again."),
        };
    }

    /// <summary>The buyer's odds in the answer, and in plain words when the people ahead are likely to take every seat.</summary>
    private static QueueAnswer WithOdds(QueueAnswer answer, Odds? odds) => odds is not { } o ? answer : answer with
    {
        SeatsLeft = o.SeatsLeft,
        PeopleAhead = o.PeopleAhead,
        SeatsLikelyTakenAhead = o.SeatsLikelyTakenAhead,
        LikelySoldOut = o.LikelySoldOut,
        Message = o.LikelySoldOut
            ? string.Create(CultureInfo.InvariantCulture, $"About {o.SeatsLeft:N0} {(o.SeatsLeft == 1 ? "seat is" : "seats are")} left for the {o.PeopleAhead:N0} {(o.PeopleAhead == 1 ? "person" : "people")} ahead of you: you may not get tickets. Keep this page open if you still want to try; you keep your place.")
            : answer.Message,
    };

    private async Task<(IRoom? Room, Problem? Problem)> GetOrCreateRoomAsync(int performanceId, CancellationToken cancellationToken)
    {
        if (_rooms.TryGetValue(performanceId, out var existing))
        {
            return (existing, null);
        }

        var list = await availability.GetPerformancesAsync(cancellationToken);
        if (list is null)
        {
            return (null, Problem.AvailabilityUnknown("The box office has not said which performances exist yet. Try again shortly.", TimeSpan.FromSeconds(5)));
        }

        if (list.Performances.FirstOrDefault(p => p.Id == performanceId) is not { } performance)
        {
            return (null, Problem.NotFound("unknown_performance", $"There is no performance {performanceId}."));
        }

        await _roomCreation.WaitAsync(cancellationToken);
        try
        {
            if (_rooms.TryGetValue(performanceId, out existing))
            {
                return (existing, null);
            }

            var room = await factory.CreateAsync(performanceId, performance.OnSaleAt, cancellationToken);
            if (performance.OnSaleAt <= time.GetUtcNow() && !room.Opened)
            {
                await room.TickAsync(time.GetUtcNow(), soldOut: false, Pace(1), shuffle); // Opens an empty lobby at once.
                await store.SaveRoomAsync(new StoredRoom(performanceId, performance.OnSaleAt, Opened: true), CancellationToken.None);
            }

            _rooms[performanceId] = room;
            return (room, null);
        }
        finally
        {
            _roomCreation.Release();
        }
    }

    /// <summary>The seats last known left, less those promised to purchases in flight; null while nothing is known.</summary>
    private async Task<int?> SeatsLeftAsync(int performanceId, CancellationToken cancellationToken)
    {
        var (outcome, snapshot) = await availability.GetAsync(performanceId, cancellationToken);
        return outcome is AvailabilityOutcome.Fresh or AvailabilityOutcome.Stale
            ? snapshot!.Zones.Sum(z => Math.Max(0, z.Available - availability.Promised(performanceId, z.ZoneId)))
            : null;
    }

    private static Problem InvalidToken(string detail) => new(401, "invalid_token", "The token is not valid.", detail);

    private static Problem SeatLimitReached(int limit, int left) =>
        new(409, "seat_limit_reached", "That is more than your share of seats.",
            left == 0
                ? $"Each buyer may take at most {limit} seats for this performance, and yours are taken by your holds and purchases."
                : $"Each buyer may take at most {limit} seats for this performance; {left} of yours are left.")
        {
            Extensions = new Dictionary<string, object?> { ["limit"] = limit, ["left"] = left },
        };

    [LoggerMessage(EventIds.LobbyOpened, LogLevel.Information, "Performance {PerformanceId} opened: {Count} buyers from the lobby placed at random")]
    private static partial void LogLobbyOpened(ILogger logger, int performanceId, int count);

    [LoggerMessage(EventIds.WaitingRoomReleaseNotSaved, LogLevel.Warning, "Performance {PerformanceId}: an early release could not be written; after a restart that place frees when its access window ends")]
    private static partial void LogReleaseNotSaved(ILogger logger, int performanceId, Exception exception);

    [LoggerMessage(EventIds.WaitingRoomActivated, LogLevel.Information, "Performance {PerformanceId}: waiting room on ({Active} active buyers, {Waiting} waiting)")]
    private static partial void LogActivated(ILogger logger, int performanceId, int active, int waiting);

    [LoggerMessage(EventIds.WaitingRoomDeactivated, LogLevel.Information, "Performance {PerformanceId}: waiting room off, demand is below the threshold ({Active} active buyers)")]
    private static partial void LogDeactivated(ILogger logger, int performanceId, int active);

    [LoggerMessage(EventIds.AdmissionLimitChanged, LogLevel.Information, "Performance {PerformanceId}: admission limit {From} -> {To} active buyers")]
    private static partial void LogLimitChanged(ILogger logger, int performanceId, int from, int to);
}
