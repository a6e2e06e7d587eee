using OnSale.Gateway.Infrastructure;
using OnSale.Gateway.WaitingRoom;

namespace OnSale.Gateway.Admin;

/// <summary><c>PUT /admin/api/mode</c>; <paramref name="Until"/> (ISO 8601 UTC, degraded only): back to normal by itself then.</summary>
internal sealed record ModeRequest(string? Mode, string? Reason, string? Until = null);

/// <summary><c>PUT /admin/api/banner</c>; an empty message clears the banner. The reason is for the audit.</summary>
internal sealed record BannerRequest(string? Message, string? Level, string? Reason = null);

/// <summary><c>GET /admin/api/me</c>: who this key signs in as, and whether it may act.</summary>
internal sealed record OperatorView(string Name, string Role, bool MayAct, string? TraceUrl);

/// <summary>The backend as the gateway sees it.</summary>
internal sealed record BackendStatus(string Protocol, string? Url, int InFlight, int RecentCalls, double RecentFailureRatio, double AverageLatencyMs, BudgetStatus Budget, double P50Ms, double P99Ms);

/// <summary>
/// The parked purchases at a glance: how many, since when the oldest waits, and how fast the line of them shrinks (net
/// of new ones, over the last minute; null until this node has watched for a minute).
/// </summary>
internal sealed record ParkingStatus(int Count, DateTimeOffset? OldestSince, int? DrainedLastMinute, IReadOnlyList<FailedPurchase> Failed);

/// <summary>A purchase that did not end well, newest first in <see cref="ParkingStatus.Failed"/>: what support is asked about.</summary>
/// <param name="At">When it failed (or was set aside).</param>
/// <param name="PurchaseId">Its id, to look it up.</param>
/// <param name="PerformanceId">The performance it was for.</param>
/// <param name="FailureCode">Why, as the buyer was told (<c>needs_support</c> when set aside for a person to settle).</param>
/// <param name="Message">What the buyer was told.</param>
internal sealed record FailedPurchase(DateTimeOffset At, string PurchaseId, int PerformanceId, string FailureCode, string? Message);

/// <summary>
/// The backend budget: its learned (or configured) limits, what waits for it per kind of work, and the calls a
/// purchase costs, from which admission takes its pace; with several nodes, the cuts made because another node was
/// refused.
/// </summary>
internal sealed record BudgetStatus(double CallsPerSecond, int InFlightLimit, int StartedLastSecond, int WaitingPurchases, int WaitingReplays, int WaitingReads, int WaitingPrefetch, double CallsPerPurchase, long Cuts, long CutsElsewhere);

/// <summary>The replay worker's pace.</summary>
internal sealed record ReplayStatus(int Window, double BackoffMs, DateTimeOffset? LastRoundAt, string? LastError);

/// <summary><c>GET /admin/api/status</c> (CONTRACT.md §3), with a few extra fields for support engineers.</summary>
internal sealed record AdminStatus(
    string Mode,
    string Breaker,
    string? Reason,
    BannerState? Banner,
    int Parked,
    IReadOnlyList<QueueStatus> Queues,
    BackendStatus Backend,
    ReplayStatus Replay,
    string? ModeSetBy,
    DateTimeOffset? ModeSince,
    IReadOnlyList<NodeView> Nodes,
    DateTimeOffset? ModeUntil,
    ParkingStatus Parking,
    IReadOnlyList<ReadinessReport> Readiness);

/// <summary><c>GET /api/v1/notice</c>: what every widget shows above the sale.</summary>
internal sealed record Notice(string Mode, BannerState? Banner);
