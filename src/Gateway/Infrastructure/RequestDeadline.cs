using Microsoft.Extensions.Options;

namespace OnSale.Gateway.Infrastructure;

/// <summary>
/// Gives every API request a deadline (<see cref="GatewayHttpOptions.RequestDeadline"/>, 2.5 s by default) through
/// <see cref="TimeProvider"/>: <see cref="HttpContext.RequestAborted"/> fires at the deadline, so every await in a
/// handler stops, and a request that nobody answered by then gets <c>503 deadline_exceeded</c>. Handlers that can do
/// better than an error (serve stale, park) watch <see cref="Remaining"/> and finish first.
/// </summary>
internal sealed partial class RequestDeadline(RequestDelegate next, IOptions<GatewayHttpOptions> options, TimeProvider time, ILogger<RequestDeadline> logger)
{
    private static readonly object DeadlineKey = new();

    /// <summary>
    /// Time left before the request's deadline, less <paramref name="reserve"/> kept for answering; never negative. A
    /// request the middleware did not time (outside /api) gets the configured deadline.
    /// </summary>
    public static TimeSpan TimeLeft(HttpContext context, TimeProvider time, TimeSpan reserve)
    {
        var left = context.Items[DeadlineKey] is DateTimeOffset deadline
            ? deadline - time.GetUtcNow()
            : context.RequestServices.GetRequiredService<IOptions<GatewayHttpOptions>>().Value.RequestDeadline;
        return left - reserve > TimeSpan.Zero ? left - reserve : TimeSpan.Zero;
    }

    /// <summary>A token that fires <paramref name="reserve"/> before the request's deadline, so the handler can still answer.</summary>
    public static DeadlineBudget Budget(HttpContext context, TimeProvider time, TimeSpan reserve) =>
        new(context.RequestAborted, TimeLeft(context, time, reserve), time);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
            || context.GetEndpoint()?.Metadata.GetMetadata<WithoutDeadline>() is not null)
        {
            await next(context);
            return;
        }

        var deadline = options.Value.RequestDeadline;
        context.Items[DeadlineKey] = time.GetUtcNow() + deadline;
        var clientAborted = context.RequestAborted;
        using var timeout = new CancellationTokenSource(deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(clientAborted, timeout.Token);
        context.RequestAborted = linked.Token;
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !clientAborted.IsCancellationRequested)
        {
            LogDeadlineExceeded(logger, context.Request.Method, context.Request.Path, deadline.TotalMilliseconds);
            if (!context.Response.HasStarted)
            {
                // Whatever the handler had begun to write (headers, a buffered body) goes: the answer is the problem alone.
                context.Response.Clear();
                context.RequestAborted = clientAborted;
                await new Problem(503, "deadline_exceeded", "The request took too long.",
                    $"No answer could be given within {deadline.TotalSeconds:0.#} s. Nothing was changed; try again shortly.")
                {
                    RetryAfter = TimeSpan.FromSeconds(2),
                }.ExecuteAsync(context);
            }
        }
    }

    [LoggerMessage(EventIds.DeadlineExceeded, LogLevel.Warning, "{Method} {Path} passed its deadline of {DeadlineMs} ms")]
    private static partial void LogDeadlineExceeded(ILogger logger, string method, string path, double deadlineMs);
}

/// <summary>
/// Marks an endpoint whose handler is synchronous and in memory: it cannot wait for anything, so a deadline would only
/// cost its timers. An endpoint that starts awaiting (a store across the network) must drop it.
/// </summary>
internal sealed class WithoutDeadline
{
    public static readonly WithoutDeadline Instance = new();
}

internal static class RequestDeadlineEndpointExtensions
{
    /// <summary>See <see cref="WithoutDeadline"/>.</summary>
    public static TBuilder WithoutRequestDeadline<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(WithoutDeadline.Instance);
}

/// <summary>A cancellation token that fires after a time measured by <see cref="TimeProvider"/>, or with its parent.</summary>
internal sealed class DeadlineBudget : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public DeadlineBudget(CancellationToken parent, TimeSpan after, TimeProvider time)
    {
        _timer = new CancellationTokenSource(after, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(parent, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
