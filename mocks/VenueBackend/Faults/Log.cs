using Microsoft.Extensions.Logging;

namespace OnSale.Mocks.VenueBackend.Faults;

internal static partial class Log
{
    [LoggerMessage(EventId = EventIds.CallRejected, Level = LogLevel.Debug, Message = "{Operation} rejected: {Limit} reached")]
    public static partial void CallRejected(ILogger logger, string operation, string limit);

    [LoggerMessage(EventId = EventIds.FaultInjected, Level = LogLevel.Debug, Message = "{Operation} answered with an injected fault ({Fault})")]
    public static partial void FaultInjected(ILogger logger, string operation, string fault);

    [LoggerMessage(EventId = EventIds.CallHanging, Level = LogLevel.Debug, Message = "{Operation} hangs until the caller gives up")]
    public static partial void CallHanging(ILogger logger, string operation);

    [LoggerMessage(
        EventId = EventIds.FaultSettingsChanged,
        Level = LogLevel.Information,
        Message = "Fault settings: latencyMs={LatencyMs} errorRate={ErrorRate} outage={Outage} hang={Hang} maxConcurrentCalls={MaxConcurrentCalls} maxCallsPerSecond={MaxCallsPerSecond} operations={Operations}")]
    public static partial void FaultSettingsApplied(
        ILogger logger,
        int latencyMs,
        double errorRate,
        bool outage,
        bool hang,
        int? maxConcurrentCalls,
        int? maxCallsPerSecond,
        string operations);

    [LoggerMessage(EventId = EventIds.ScheduledFaultsApplied, Level = LogLevel.Information, Message = "Scheduled fault settings applied ({AfterSeconds} s after the schedule was put)")]
    public static partial void ScheduledFaultsApplied(ILogger logger, double afterSeconds);
}
