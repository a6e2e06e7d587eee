namespace OnSale.Mocks.VenueBackend.Inventory;

/// <summary>The backend's fault codes (CONTRACT.md §1).</summary>
internal static class VenueFaultCodes
{
    public const int SessionExpired = 101;
    public const int NotEnoughSeats = 201;
    public const int PaymentDeclined = 301;
    public const int HoldExpired = 302;
    public const int NotFound = 404;
    public const int InvalidArgument = 422;
    public const int Unavailable = 503;
}

/// <summary>
/// A fault the backend answers with; each binding renders it in its own fault format
/// (SOAP fault with a VenueFault detail, or an XML-RPC fault struct).
/// </summary>
internal sealed class VenueFaultException : Exception
{
    public VenueFaultException(int code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The contract's fault code (101, 201, 301, 302, 404, 422, 503).</summary>
    public int Code { get; }
}

/// <summary>A control-API request that cannot be satisfied in the inventory's current state (HTTP 409).</summary>
internal sealed class InventoryConflictException(string message) : Exception(message);
