namespace OnSale.Mocks.VenueBackend;

/// <summary>Every log event id of the mock, allocated in one place so that ids never collide.</summary>
internal static class EventIds
{
    // Inventory: 1xx
    public const int InventorySeeded = 100;
    public const int HoldCreated = 101;
    public const int HoldReleased = 102;
    public const int HoldExpired = 103;
    public const int OrderCreated = 104;
    public const int OrderReplayed = 105;
    public const int OversoldDetected = 106;
    public const int InventoryReset = 107;
    public const int OnSaleAtChanged = 108;
    public const int ZoneAvailabilityChanged = 109;

    // Bindings: 2xx
    public const int SoapFaultReturned = 200;
    public const int SoapRequestRefused = 201;
    public const int XmlRpcFaultReturned = 210;
    public const int XmlRpcRequestRefused = 211;
    public const int CallAborted = 220;
    public const int CallFailed = 221;

    // Fault injection: 3xx
    public const int CallRejected = 300;
    public const int FaultInjected = 301;
    public const int CallHanging = 302;
    public const int FaultSettingsChanged = 303;
    public const int ScheduledFaultsApplied = 304;
}
