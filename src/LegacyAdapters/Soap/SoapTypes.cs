using System.ComponentModel;
using System.Xml.Serialization;

// The complex types of venue-backend.wsdl, element by element in the schema's order. They are public only because
// XmlSerializer, which WCF uses for them, refuses non-public types ("Only public types can be processed"); they are
// hidden from IntelliSense and are not the library's API: callers get Performance, Zone, Hold and Order.
namespace OnSale.LegacyAdapters.Soap;

/// <summary>The WSDL's <c>Performance</c> on the wire. Not for use: <see cref="IVenueBackend"/> returns <see cref="Performance"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[XmlType("Performance", Namespace = VenueService.Namespace)]
public sealed class SoapPerformance
{
    /// <summary><c>Id</c>.</summary>
    [XmlElement(Order = 0)]
    public int Id { get; set; }

    /// <summary><c>Title</c>.</summary>
    [XmlElement(Order = 1)]
    public string Title { get; set; } = string.Empty;

    /// <summary><c>Venue</c>.</summary>
    [XmlElement(Order = 2)]
    public string Venue { get; set; } = string.Empty;

    /// <summary><c>StartsAt</c>.</summary>
    [XmlElement(Order = 3)]
    public DateTime StartsAt { get; set; }

    /// <summary><c>OnSaleAt</c>.</summary>
    [XmlElement(Order = 4)]
    public DateTime OnSaleAt { get; set; }
}

/// <summary>The WSDL's <c>Zone</c> on the wire. Not for use: <see cref="IVenueBackend"/> returns <see cref="Zone"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[XmlType("Zone", Namespace = VenueService.Namespace)]
public sealed class SoapZone
{
    /// <summary><c>ZoneId</c>.</summary>
    [XmlElement(Order = 0)]
    public int ZoneId { get; set; }

    /// <summary><c>Name</c>.</summary>
    [XmlElement(Order = 1)]
    public string Name { get; set; } = string.Empty;

    /// <summary><c>PriceCents</c>.</summary>
    [XmlElement(Order = 2)]
    public int PriceCents { get; set; }

    /// <summary><c>Capacity</c>.</summary>
    [XmlElement(Order = 3)]
    public int Capacity { get; set; }

    /// <summary><c>Available</c>.</summary>
    [XmlElement(Order = 4)]
    public int Available { get; set; }
}

/// <summary>The WSDL's <c>Hold</c> on the wire. Not for use: <see cref="IVenueBackend"/> returns <see cref="Hold"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[XmlType("Hold", Namespace = VenueService.Namespace)]
public sealed class SoapHold
{
    /// <summary><c>LineItemId</c>.</summary>
    [XmlElement(Order = 0)]
    public int LineItemId { get; set; }

    /// <summary><c>PerformanceId</c>.</summary>
    [XmlElement(Order = 1)]
    public int PerformanceId { get; set; }

    /// <summary><c>ZoneId</c>.</summary>
    [XmlElement(Order = 2)]
    public int ZoneId { get; set; }

    /// <summary><c>Quantity</c>.</summary>
    [XmlElement(Order = 3)]
    public int Quantity { get; set; }

    /// <summary><c>Seats</c>, an <c>ArrayOfString</c>.</summary>
    [XmlArray(Order = 4)]
    [XmlArrayItem("string")]
    public string[] Seats { get; set; } = [];

    /// <summary><c>ExpiresAt</c>.</summary>
    [XmlElement(Order = 5)]
    public DateTime ExpiresAt { get; set; }
}

/// <summary>The WSDL's <c>Order</c> on the wire. Not for use: <see cref="IVenueBackend"/> returns <see cref="Order"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[XmlType("Order", Namespace = VenueService.Namespace)]
public sealed class SoapOrder
{
    /// <summary><c>OrderId</c>.</summary>
    [XmlElement(Order = 0)]
    public int OrderId { get; set; }

    /// <summary><c>ClientReference</c>.</summary>
    [XmlElement(Order = 1)]
    public string ClientReference { get; set; } = string.Empty;

    /// <summary><c>PerformanceId</c>.</summary>
    [XmlElement(Order = 2)]
    public int PerformanceId { get; set; }

    /// <summary><c>ZoneId</c>.</summary>
    [XmlElement(Order = 3)]
    public int ZoneId { get; set; }

    /// <summary><c>Seats</c>, an <c>ArrayOfString</c>.</summary>
    [XmlArray(Order = 4)]
    [XmlArrayItem("string")]
    public string[] Seats { get; set; } = [];

    /// <summary><c>TotalCents</c>.</summary>
    [XmlElement(Order = 5)]
    public int TotalCents { get; set; }
}

/// <summary>The WSDL's <c>VenueFault</c> detail on the wire. Not for use: faults surface as <see cref="VenueBackendException"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[XmlType("VenueFault", Namespace = VenueService.Namespace)]
public sealed class SoapVenueFault
{
    /// <summary><c>Code</c>: the contract's fault code.</summary>
    [XmlElement(Order = 0)]
    public int Code { get; set; }

    /// <summary><c>Message</c>.</summary>
    [XmlElement(Order = 1)]
    public string Message { get; set; } = string.Empty;
}
