namespace OnSale.Gateway.Storage.Redis;

/// <summary>The Redis store's background rounds (beat, replay lease, promised seats): one now, then one a second until the node stops.</summary>
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
