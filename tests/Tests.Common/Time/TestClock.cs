using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace OnSale.Tests.Common.Time;

/// <summary>
/// Where the suite's fake clocks start. Nothing in a test may depend on the wall-clock date: a gateway under test and
/// the mock behind it share one <see cref="FakeTimeProvider"/>, and the mock's seed (on sale "a day ago", "in two
/// minutes") is placed relative to that clock. Set <c>ONSALE_TEST_CLOCK_START</c> (ISO 8601) to run every test that
/// uses <see cref="Start"/> at another date.
/// </summary>
public static class TestClock
{
    /// <summary>The environment variable that moves <see cref="Start"/>.</summary>
    public const string StartVariable = "ONSALE_TEST_CLOCK_START";

    /// <summary>2026-11-22 09:00 UTC, or <c>ONSALE_TEST_CLOCK_START</c> when it is set.</summary>
    public static DateTimeOffset Start { get; } =
        Environment.GetEnvironmentVariable(StartVariable) is { Length: > 0 } text
            ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal)
            : new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A fake clock at <paramref name="start"/>, or at <see cref="Start"/>.</summary>
    public static FakeTimeProvider Create(DateTimeOffset? start = null) => new(start ?? Start);
}
