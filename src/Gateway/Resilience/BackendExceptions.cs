using OnSale.LegacyAdapters;

namespace OnSale.Gateway.Resilience;

/// <summary>The call was not made because the circuit is open (backend failing) or isolated (degraded mode).</summary>
internal sealed class CircuitOpenException(bool isolated, TimeSpan retryAfter, Exception innerException)
    : BackendUnavailableException(
        isolated ? "Degraded mode is on: the backend is not being called." : "The circuit is open: the backend is failing and is given time to recover.",
        innerException,
        faultCode: null)
{
    public bool Isolated { get; } = isolated;

    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The call never left the gateway: it was refused, or given up, while waiting for its turn.</summary>
internal class CallNotMadeException(string message, Exception? innerException = null)
    : BackendUnavailableException(message, innerException, faultCode: null);

/// <summary>The call was not made because too many backend calls were already in flight or waiting.</summary>
internal sealed class BackendSaturatedException(int limit)
    : CallNotMadeException($"More than {limit} backend calls are in flight or waiting; the call was not made.");

internal static class BackendFailures
{
    /// <summary>
    /// Whether the backend may have acted on the call although we did not get a usable answer: a timeout, a broken
    /// connection, an answer we could not read. Only a call refused before it was made (open circuit, saturation), a
    /// 503 fault (the backend says it did nothing) or a business fault is known not to have happened.
    /// </summary>
    public static bool OutcomeUnknown(Exception exception) => exception switch
    {
        CircuitOpenException or CallNotMadeException => false,
        BackendUnavailableException { FaultCode: 503 } => false,
        BackendUnavailableException or ProtocolErrorException or OperationCanceledException => true,
        _ => false,
    };

    /// <summary>A hint for clients: when it is worth asking again.</summary>
    public static TimeSpan RetryAfter(Exception exception) => exception switch
    {
        CircuitOpenException open => open.RetryAfter,
        _ => TimeSpan.FromSeconds(2),
    };
}
