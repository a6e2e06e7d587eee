using System.Globalization;
using System.Text.RegularExpressions;

namespace OnSale.LegacyAdapters;

/// <summary>
/// The base of every error the backend adapters raise. The subclass says what happened, the same for every binding;
/// <see cref="FaultCode"/> gives the contract's fault code where the backend sent one.
/// </summary>
public abstract class VenueBackendException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="faultCode">The contract's fault code, or <see langword="null"/> when the backend sent none.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    protected VenueBackendException(int? faultCode, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        FaultCode = faultCode;
    }

    /// <summary>The contract's fault code (101, 201, 301, 302, 404, 422 or 503), or <see langword="null"/>.</summary>
    public int? FaultCode { get; }

    /// <summary>The operation that failed, when known.</summary>
    public VenueOperation? Operation { get; internal set; }
}

/// <summary>The session key is unknown or has expired (fault 101). Open a new session and try again.</summary>
/// <param name="message">The backend's message.</param>
public sealed class SessionExpiredException(string message) : VenueBackendException(101, message);

/// <summary>Fewer seats are free than were asked for (fault 201).</summary>
public sealed partial class NotEnoughSeatsException : VenueBackendException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The backend's message.</param>
    /// <param name="available">The number of seats still available, when known; read from the message otherwise.</param>
    public NotEnoughSeatsException(string message, int? available = null)
        : base(201, message)
    {
        Available = available ?? ParseAvailable(message);
    }

    /// <summary>How many seats the backend said are still available, or <see langword="null"/> if it did not say.</summary>
    public int? Available { get; }

    private static int? ParseAvailable(string message)
    {
        // Backends word this differently ("only 3 left", "3 seats available", "available: 3"): prefer a number
        // next to the word, else the only number in the message.
        var near = NearWord().Match(message);
        if (near.Success)
        {
            var value = near.Groups["a"].Success ? near.Groups["a"].Value : near.Groups["b"].Value;
            return int.Parse(value, CultureInfo.InvariantCulture);
        }

        var all = AnyNumber().Matches(message);
        return all.Count == 1 ? int.Parse(all[0].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"(?<a>\d{1,9})\s+(?:seats?\s+|tickets?\s+)?(?:still\s+)?(?:available|left|remaining|free)|(?:available|left|remaining|free)\s*[:=]?\s*(?<b>\d{1,9})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NearWord();

    [GeneratedRegex(@"\d{1,9}", RegexOptions.CultureInvariant)]
    private static partial Regex AnyNumber();
}

/// <summary>The payment was declined (fault 301). The holds stay in place until they expire.</summary>
/// <param name="message">The backend's message.</param>
public sealed class PaymentDeclinedException(string message) : VenueBackendException(301, message);

/// <summary>The session has no live hold to buy: it expired or was never made (fault 302).</summary>
/// <param name="message">The backend's message.</param>
public sealed class HoldExpiredException(string message) : VenueBackendException(302, message);

/// <summary>An unknown performance, zone, hold or order (fault 404).</summary>
/// <param name="message">The backend's message.</param>
public sealed class NotFoundException(string message) : VenueBackendException(404, message);

/// <summary>The backend refused an argument, for example a quantity outside 1 to 10 or an empty token (fault 422).</summary>
/// <param name="message">The backend's message.</param>
public sealed class InvalidArgumentException(string message) : VenueBackendException(422, message);

/// <summary>
/// The backend is busy or down (fault 503), or could not be reached. Busy and down look the same from here:
/// treat it first as a congestion signal, and retry only operations for which
/// <see cref="VenueOperationExtensions.IsSafeToRetry"/> holds.
/// </summary>
public class BackendUnavailableException : VenueBackendException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    /// <param name="faultCode">503 when the backend said so itself; <see langword="null"/> when it could not be reached.</param>
    public BackendUnavailableException(string message, Exception? innerException = null, int? faultCode = 503)
        : base(faultCode, message, innerException)
    {
    }
}

/// <summary>
/// The backend did not answer within the configured timeout. Whether the call took effect is unknown: after a timed-out
/// <see cref="IVenueBackend.CheckoutAsync"/>, ask <see cref="IVenueBackend.FindOrderAsync"/> before trying again.
/// </summary>
/// <param name="message">What went wrong.</param>
/// <param name="timeout">The timeout that elapsed.</param>
/// <param name="innerException">The underlying error, if any.</param>
public sealed class BackendTimeoutException(string message, TimeSpan timeout, Exception? innerException = null)
    : BackendUnavailableException(message, innerException, faultCode: null)
{
    /// <summary>The timeout that elapsed.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>
/// The backend's answer broke the protocol: not well-formed or not the expected shape, a DTD or entity, an
/// unexpected content type, too large, or an unknown fault code. Nothing in it was trusted.
/// </summary>
public sealed class ProtocolErrorException : VenueBackendException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong with the answer.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    /// <param name="faultCode">The unknown fault code, when that was the problem.</param>
    public ProtocolErrorException(string message, Exception? innerException = null, int? faultCode = null)
        : base(faultCode, message, innerException)
    {
    }
}
