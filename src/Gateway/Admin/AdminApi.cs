using System.Globalization;
using Microsoft.Extensions.Options;
using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.Infrastructure.Telemetry;
using OnSale.Gateway.Purchasing;
using OnSale.Gateway.Resilience;
using OnSale.Gateway.WaitingRoom;
using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Admin;

/// <summary>The admin API for support engineers (CONTRACT.md §3) and the public notice every widget reads.</summary>
internal static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin/api").WithTags("Admin").AddEndpointFilter<AdminAuthorization>();
        admin.MapGet("/status", GetStatusAsync).WithName("GetAdminStatus");
        admin.MapPut("/mode", SetModeAsync).WithName("SetMode");
        admin.MapPut("/banner", SetBannerAsync).WithName("SetBanner");
        admin.MapGet("/audit", GetAuditAsync).WithName("GetAudit");
        admin.MapGet("/me", GetMe).WithName("GetOperator");
        admin.MapGet("/series", (ConsoleSeriesSampler series) => TypedResults.Json(series.Read(), AdminJsonContext.Default.ConsoleSeries)).WithName("GetSeries");
        admin.MapHotOnSaleAdmin();
        admin.MapAdmissionAdmin();
        admin.MapPurchaseLookup();
        endpoints.MapConsolePages();

        endpoints.MapGet("/api/v1/notice", GetNotice).WithTags("Notice").WithName("GetNotice");

        // Queue depths, admission limits and sales per performance are a scalper's dashboard: /metrics is for the
        // operators' scraper, with the admin key, or on a port of its own that only the private network reaches.
        endpoints.MapMetricsEndpoint().WithTags("Metrics").AddEndpointFilter(static async (context, next) =>
        {
            var http = context.HttpContext;
            var port = http.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Port;
            if (port is not { } metricsPort || http.Connection.LocalPort != metricsPort)
            {
                if (http.RequestServices.GetRequiredService<AdminAuthorization>().Authorize(http) is { } refused)
                {
                    return refused;
                }
            }

            return await next(context);
        });
        return endpoints;
    }

    private static IResult GetNotice(DegradedMode mode, Banner banner, HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Json(new Notice(mode.IsDegraded ? "degraded" : "normal", banner.Current), AdminJsonContext.Default.Notice);
    }

    private static async Task<IResult> GetStatusAsync(HttpContext context, StatusReader status) =>
        TypedResults.Json(await status.ReadAsync(context.RequestAborted), AdminJsonContext.Default.AdminStatus);

    /// <summary>The furthest a degraded mode's <c>until</c> may lie: beyond a week it is an outage plan, not a timer.</summary>
    private static readonly TimeSpan MaxUntil = TimeSpan.FromDays(7);

    private static async Task<IResult> SetModeAsync(HttpContext context, DegradedMode mode, StatusReader status, TimeProvider time)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, AdminJsonContext.Default.ModeRequest);
        if (problem is not null)
        {
            return problem;
        }

        var degraded = request!.Mode switch
        {
            "degraded" => true,
            "normal" => false,
            _ => (bool?)null,
        };
        if (degraded is null)
        {
            return Problem.Validation("mode must be \"degraded\" or \"normal\".");
        }

        if (degraded.Value && string.IsNullOrWhiteSpace(request.Reason))
        {
            return Problem.Validation("reason is required when switching to degraded mode: say why, for the audit trail.");
        }

        if (InvalidReason(request.Reason) is { } badReason)
        {
            return badReason;
        }

        DateTimeOffset? until = null;
        if (!string.IsNullOrWhiteSpace(request.Until))
        {
            if (!degraded.Value)
            {
                return Problem.Validation("until applies to degraded mode only: normal needs no end.");
            }

            if (!DateTimeOffset.TryParse(request.Until, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return Problem.Validation("until must be an ISO 8601 time, such as 2026-12-03T09:30:00Z (UTC unless it says otherwise).");
            }

            var now = time.GetUtcNow();
            if (parsed <= now || parsed > now + MaxUntil)
            {
                return Problem.Validation($"until must be in the future and at most {MaxUntil.TotalDays:0} days ahead (now is {now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}).");
            }

            until = parsed;
        }

        await mode.SetAsync(degraded.Value, request.Reason?.Trim() ?? "cleared", AdminAuthorization.KeyIdOf(context), CancellationToken.None, until);
        return TypedResults.Json(await status.ReadAsync(context.RequestAborted), AdminJsonContext.Default.AdminStatus);
    }

    private static async Task<IResult> SetBannerAsync(HttpContext context, Banner banner, StatusReader status)
    {
        var (request, problem) = await JsonBody.ReadAsync(context, AdminJsonContext.Default.BannerRequest);
        if (problem is not null)
        {
            return problem;
        }

        var level = request!.Level ?? "info";
        if (!Banner.Levels.Contains(level))
        {
            return Problem.Validation($"level must be one of: {string.Join(", ", Banner.Levels)}.");
        }

        if (request.Message?.Length > 500 || (!string.IsNullOrWhiteSpace(request.Message) && !Printable.IsPrintable(request.Message.Trim(), allowSpaces: true)))
        {
            return Problem.Validation("message is limited to 500 printable characters on one line: every open widget shows it.");
        }

        if (InvalidReason(request.Reason) is { } badReason)
        {
            return badReason;
        }

        await banner.SetAsync(request.Message, level, AdminAuthorization.KeyIdOf(context), request.Reason?.Trim(), CancellationToken.None);
        return TypedResults.Json(await status.ReadAsync(context.RequestAborted), AdminJsonContext.Default.AdminStatus);
    }

    /// <summary>A reason is for the audit: at most 500 printable characters on one line.</summary>
    internal static Problem? InvalidReason(string? reason) =>
        reason?.Length > 500 || (!string.IsNullOrWhiteSpace(reason) && !Printable.IsPrintable(reason.Trim(), allowSpaces: true))
            ? Problem.Validation("reason is limited to 500 printable characters on one line.")
            : null;

    private static IResult GetMe(HttpContext context, IOptions<AdminOptions> options)
    {
        var caller = AdminAuthorization.CallerOf(context)!;
        return TypedResults.Json(new OperatorView(caller.Name, caller.RoleName, caller.Role == OperatorRole.Operator, options.Value.TraceUrl), AdminJsonContext.Default.OperatorView);
    }

    private static async Task<IResult> GetAuditAsync(ISettingsStore store, HttpContext context) =>
        TypedResults.Json(await store.GetAuditAsync(100, context.RequestAborted), AdminJsonContext.Default.IReadOnlyListAuditEntry);
}

/// <summary>Gathers the status page from the parts that own each figure.</summary>
internal sealed class StatusReader(
    DegradedMode mode,
    BackendResilience resilience,
    BackendHealth health,
    BackendBudget budget,
    Banner banner,
    IPurchaseJournal journal,
    ReplayWorker replay,
    IOptions<VenueBackendOptions> backend,
    IEnumerable<IQueueStatusSource> queues,
    IClusterNodes nodes,
    ConsoleSeriesSampler series,
    OnSaleReadiness readiness)
{
    public static string BreakerName(BreakerState state) => state switch
    {
        BreakerState.Open => "open",
        BreakerState.HalfOpen => "half-open",
        BreakerState.Isolated => "isolated",
        _ => "closed",
    };

    /// <summary>How many of the latest failed purchases the status lists.</summary>
    public const int RecentFailures = 20;

    private JournalView _lastJournal = new(null, new PurchaseOutcomes(new Dictionary<int, int>(), []));

    public async Task<AdminStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var h = health.Snapshot();
        var b = budget.Snapshot();
        var r = replay.State;
        var current = mode.Current;
        var parked = await journal.CountPendingAsync(cancellationToken);
        var (oldestSince, outcomes) = await ReadJournalAsync(parked, cancellationToken);
        return new AdminStatus(
            mode.IsDegraded ? "degraded" : "normal",
            BreakerName(resilience.State),
            mode.Reason,
            banner.Current,
            parked,
            [.. queues.SelectMany(q => q.Snapshot()).Select(q => q with { SeatsSold = outcomes.SeatsSold.GetValueOrDefault(q.PerformanceId) })],
            new BackendStatus(
                backend.Value.Protocol.ToString(),
                backend.Value.Url?.ToString(),
                h.InFlight,
                h.Calls,
                h.FailureRatio,
                h.AverageLatency.TotalMilliseconds,
                new BudgetStatus(
                    Math.Round(b.CallsPerSecond, 2),
                    b.InFlightLimit,
                    b.StartedLastSecond,
                    b.Waiting[(int)BackendWorkKind.Purchase],
                    b.Waiting[(int)BackendWorkKind.Replay],
                    b.Waiting[(int)BackendWorkKind.Read],
                    b.Waiting[(int)BackendWorkKind.Prefetch],
                    Math.Round(b.CallsPerPurchase, 2),
                    budget.Cuts,
                    budget.CutsElsewhere),
                Math.Round(h.P50.TotalMilliseconds, 1),
                Math.Round(h.P99.TotalMilliseconds, 1)),
            new ReplayStatus(r.Window, r.Backoff.TotalMilliseconds, r.LastRoundAt, r.LastError),
            current.SetBy,
            current.Since,
            nodes.Nodes,
            current.Until,
            new ParkingStatus(
                parked,
                oldestSince,
                series.ParkedAgo(TimeSpan.FromMinutes(1)) is { } before ? before - parked : null,
                [.. outcomes.RecentFailures.Select(p => new FailedPurchase(p.UpdatedAt, p.PurchaseId, p.PerformanceId, p.FailureCode ?? "needs_support", p.Message))]),
            await readiness.ReadAsync(cancellationToken));
    }

    /// <summary>
    /// The journal's part of the status: since when the oldest parked purchase waits, seats sold, the latest failures.
    /// When the store cannot answer (Redis down), the last ones read: the status is what support reads when things break.
    /// </summary>
    private async Task<JournalView> ReadJournalAsync(int parked, CancellationToken cancellationToken)
    {
        try
        {
            var oldest = parked == 0 ? null : (await journal.GetPendingAsync(1, cancellationToken)).FirstOrDefault();
            var view = new JournalView(oldest?.CreatedAt, await journal.ReadOutcomesAsync(RecentFailures, cancellationToken));
            Volatile.Write(ref _lastJournal, view);
            return view;
        }
        catch (StoreUnavailableException)
        {
            return Volatile.Read(ref _lastJournal);
        }
    }

    private sealed record JournalView(DateTimeOffset? OldestSince, PurchaseOutcomes Outcomes);
}
