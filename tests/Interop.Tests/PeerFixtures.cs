using System.Text.Json;
using OnSale.LegacyAdapters;

namespace OnSale.Interop.Tests;

/// <summary>
/// scripts/fixtures.json: what the peer servers answer and which requests make them fault. The peers and these
/// tests read the same file, so an expectation cannot drift from what the peer was told to say.
/// </summary>
/// <param name="SessionKey">What GetNewSessionKey answers.</param>
/// <param name="Performances">What GetPerformances answers.</param>
/// <param name="Availability">What GetAvailability answers, by performance id.</param>
/// <param name="Hold">What ReserveTickets answers for the hold's own performance, zone and quantity.</param>
/// <param name="Order">What FindOrder answers for the order's reference (and Checkout, with the request's reference).</param>
/// <param name="Faults">The fault triggers.</param>
public sealed record PeerFixtures(
    string SessionKey,
    IReadOnlyList<Performance> Performances,
    IReadOnlyDictionary<string, IReadOnlyList<Zone>> Availability,
    Hold Hold,
    Order Order,
    PeerFaults Faults)
{
    private static readonly Lazy<PeerFixtures> Loaded = new(() =>
    {
        var path = PeerScripts.Script("fixtures.json");
        return JsonSerializer.Deserialize<PeerFixtures>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidOperationException($"{path} is empty.");
    });

    /// <summary>The fixtures, read once.</summary>
    public static PeerFixtures Instance => Loaded.Value;
}

/// <summary>The fault triggers of fixtures.json, one per contract fault the peers raise.</summary>
/// <param name="UnknownPerformance">GetAvailability of an unknown performance (404).</param>
/// <param name="SessionExpired">Any call with the expired session key (101).</param>
/// <param name="InvalidQuantity">ReserveTickets with a quantity outside 1 to 10 (422).</param>
/// <param name="NotEnoughSeats">ReserveTickets with the trigger quantity (201).</param>
/// <param name="UnknownHold">ReleaseTickets of another line item than the fixture hold's (404).</param>
/// <param name="EmptyToken">Checkout with an empty payment token (422).</param>
/// <param name="PaymentDeclined">Checkout with a token starting with the prefix (301).</param>
/// <param name="HoldExpired">Checkout with a token starting with the prefix (302).</param>
/// <param name="OrderNotFound">FindOrder of the trigger reference (404).</param>
/// <param name="Busy">FindOrder of the trigger reference (503).</param>
public sealed record PeerFaults(
    PeerFault UnknownPerformance,
    PeerFault SessionExpired,
    PeerFault InvalidQuantity,
    PeerFault NotEnoughSeats,
    PeerFault UnknownHold,
    PeerFault EmptyToken,
    PeerFault PaymentDeclined,
    PeerFault HoldExpired,
    PeerFault OrderNotFound,
    PeerFault Busy);

/// <summary>One fault trigger: the code and message the peer answers with, and what in the request triggers it.</summary>
/// <param name="Code">The contract fault code.</param>
/// <param name="Message">The fault message.</param>
/// <param name="PerformanceId">The trigger performance id, if any.</param>
/// <param name="SessionKey">The trigger session key, if any.</param>
/// <param name="Quantity">The trigger quantity, if any.</param>
/// <param name="Available">The number of seats the message says are available, if any.</param>
/// <param name="LineItemId">The trigger line item id, if any.</param>
/// <param name="TokenPrefix">The trigger payment-token prefix, if any.</param>
/// <param name="ClientReference">The trigger client reference, if any.</param>
public sealed record PeerFault(
    int Code,
    string Message,
    int? PerformanceId = null,
    string? SessionKey = null,
    int? Quantity = null,
    int? Available = null,
    int? LineItemId = null,
    string? TokenPrefix = null,
    string? ClientReference = null);
