using Microsoft.Extensions.Time.Testing;
using OnSale.Tests.Common.Time;

namespace OnSale.Tests.Common;

/// <summary>
/// Waits for a condition that background work (a replay worker, a refresh) makes true, by polling a bounded number
/// of times. With a <see cref="FakeTimeProvider"/> it moves the clock on between polls so that timers fire; no test
/// asserts on how long it took.
/// </summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> condition,
        string what,
        int attempts = 600,
        FakeTimeProvider? time = null,
        TimeSpan? advance = null)
    {
        var last = default(T);
        for (var i = 0; i < attempts; i++)
        {
            last = await probe();
            if (condition(last))
            {
                return last;
            }

            time?.Advance(advance ?? TimeSpan.FromMilliseconds(250));
            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"Never happened: {what}. Last seen: {last}");
    }
}
