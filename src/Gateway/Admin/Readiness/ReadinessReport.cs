namespace OnSale.Gateway.Admin;

/// <summary>One on-sale opening in the next 24 hours and whether the gateway is ready for it (<c>status.readiness</c>).</summary>
/// <param name="PerformanceId">The performance.</param>
/// <param name="Name">Its title, as the backend lists it.</param>
/// <param name="OnSaleAt">When it opens.</param>
/// <param name="Ready">Every check is ok.</param>
/// <param name="Checks">
/// In this order: <c>backend_reachable</c>, <c>cache_warm</c>, <c>signing_keys_shared</c>, <c>venue_origins_set</c>,
/// <c>store_durable</c>.
/// </param>
internal sealed record ReadinessReport(int PerformanceId, string? Name, DateTimeOffset OnSaleAt, bool Ready, IReadOnlyList<ReadinessCheck> Checks);

/// <summary>One item of the checklist: its name, whether it is ok, and in a sentence why (or what to do).</summary>
internal sealed record ReadinessCheck(string Name, bool Ok, string? Detail);
