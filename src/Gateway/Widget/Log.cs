namespace OnSale.Gateway.Widget;

internal static partial class Log
{
    [LoggerMessage(EventId = Infrastructure.EventIds.WidgetUnknownVenue, Level = LogLevel.Information, Message = "Widget frame asked for unknown venue {Venue} by {Host}: served the 'not set up' page")]
    public static partial void UnknownVenue(ILogger logger, string venue, string host);

    [LoggerMessage(EventId = Infrastructure.EventIds.WidgetHostRefused, Level = LogLevel.Warning, Message = "Widget frame of venue {Venue} refused for host {Host}: not among Gateway:Venues:{Venue}:Origins")]
    public static partial void HostRefused(ILogger logger, string venue, string host);
}
