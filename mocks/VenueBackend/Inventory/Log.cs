using Microsoft.Extensions.Logging;

namespace OnSale.Mocks.VenueBackend.Inventory;

internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.InventorySeeded, Level = LogLevel.Information, Message = "Inventory seeded: {PerformanceCount} performances, {SeatCount} seats")]
    public static partial void InventorySeeded(ILogger logger, int performanceCount, long seatCount);

    [LoggerMessage(EventId = EventIds.InventoryReset, Level = LogLevel.Information, Message = "Inventory reset to the seed")]
    public static partial void InventoryReset(ILogger logger);

    [LoggerMessage(EventId = EventIds.HoldCreated, Level = LogLevel.Debug, Message = "Hold {LineItemId} created: performance {PerformanceId} zone {ZoneId}, {Quantity} seats")]
    public static partial void HoldCreated(ILogger logger, int lineItemId, int performanceId, int zoneId, int quantity);

    [LoggerMessage(EventId = EventIds.HoldReleased, Level = LogLevel.Debug, Message = "Hold {LineItemId} released")]
    public static partial void HoldReleased(ILogger logger, int lineItemId);

    [LoggerMessage(EventId = EventIds.HoldExpired, Level = LogLevel.Debug, Message = "Hold {LineItemId} expired: performance {PerformanceId} zone {ZoneId}")]
    public static partial void HoldExpired(ILogger logger, int lineItemId, int performanceId, int zoneId);

    [LoggerMessage(EventId = EventIds.OrderCreated, Level = LogLevel.Information, Message = "Order {OrderId} created for {ClientReference}: {SeatCount} seats, {TotalCents} cents")]
    public static partial void OrderCreated(ILogger logger, int orderId, string clientReference, int seatCount, int totalCents);

    [LoggerMessage(EventId = EventIds.OrderReplayed, Level = LogLevel.Information, Message = "Checkout repeated for {ClientReference}: returning order {OrderId}, nothing charged")]
    public static partial void OrderReplayed(ILogger logger, int orderId, string clientReference);

    [LoggerMessage(EventId = EventIds.OversoldDetected, Level = LogLevel.Critical, Message = "OVERSOLD: {Anomalies} anomalies selling seats of performance {PerformanceId} zone {ZoneId}")]
    public static partial void OversoldDetected(ILogger logger, int performanceId, int zoneId, int anomalies);

    [LoggerMessage(EventId = EventIds.OnSaleAtChanged, Level = LogLevel.Information, Message = "Performance {PerformanceId} now goes on sale at {OnSaleAt:O}")]
    public static partial void OnSaleAtChanged(ILogger logger, int performanceId, DateTimeOffset onSaleAt);

    [LoggerMessage(EventId = EventIds.ZoneAvailabilityChanged, Level = LogLevel.Information, Message = "Performance {PerformanceId} zone {ZoneId}: {Available} seats now available")]
    public static partial void ZoneAvailabilityChanged(ILogger logger, int performanceId, int zoneId, int available);
}
