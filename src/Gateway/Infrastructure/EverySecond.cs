namespace OnSale.Gateway.Infrastructure;

/// <summary>Background rounds (Redis beat, replay lease, promised seats; mode expiry; console samples): one now, then one a second until the node stops.</summary>
internal static class EverySecond
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="round"/> now and then once a period; the round handles its own failures.</summary>
    public static async Task RunAsync(Func<Task> round, TimeProvider time, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do
            {
                await round();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
