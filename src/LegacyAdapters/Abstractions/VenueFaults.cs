namespace OnSale.LegacyAdapters;

/// <summary>Maps a contract fault code to its exception: the one place both bindings share.</summary>
internal static class VenueFaults
{
    public static VenueBackendException FromCode(int code, string message, VenueOperation operation)
    {
        VenueBackendException exception = code switch
        {
            101 => new SessionExpiredException(message),
            201 => new NotEnoughSeatsException(message),
            301 => new PaymentDeclinedException(message),
            302 => new HoldExpiredException(message),
            404 => new NotFoundException(message),
            422 => new InvalidArgumentException(message),
            503 => new BackendUnavailableException(message),
            _ => new ProtocolErrorException($"The backend sent unknown fault code {code}: {message}", faultCode: code),
        };
        return exception.WithOperation(operation);
    }

    public static T WithOperation<T>(this T exception, VenueOperation operation)
        where T : VenueBackendException
    {
        exception.Operation = operation;
        return exception;
    }
}
