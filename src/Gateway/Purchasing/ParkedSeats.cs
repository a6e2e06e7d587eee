namespace OnSale.Gateway.Purchasing;

/// <summary>
/// Seats that each client's purchases have waiting for the box office (parked, or handed over to be settled), so that
/// one client cannot promise a zone away with purchases the box office will refuse. In memory; rebuilt from the
/// journal at start-up.
/// </summary>
internal sealed class ParkedSeats
{
    private readonly Dictionary<string, int> _byClient = new(StringComparer.Ordinal);

    /// <summary>Counts <paramref name="seats"/> for the client if that keeps them within <paramref name="cap"/>; otherwise how many they have waiting.</summary>
    public (bool Added, int Waiting) TryAdd(string clientKey, int seats, int cap)
    {
        lock (_byClient)
        {
            var waiting = _byClient.GetValueOrDefault(clientKey);
            if (waiting + seats > cap)
            {
                return (false, waiting);
            }

            _byClient[clientKey] = waiting + seats;
            return (true, waiting + seats);
        }
    }

    /// <summary>Counts seats that are waiting already (restored, or handed over after an unknown outcome).</summary>
    public void Add(string? clientKey, int seats)
    {
        if (clientKey is null)
        {
            return;
        }

        lock (_byClient)
        {
            _byClient[clientKey] = _byClient.GetValueOrDefault(clientKey) + seats;
        }
    }

    /// <summary>The purchase ended (confirmed or failed) or never was: its seats no longer wait.</summary>
    public void Remove(string? clientKey, int seats)
    {
        if (clientKey is null)
        {
            return;
        }

        lock (_byClient)
        {
            var left = _byClient.GetValueOrDefault(clientKey) - seats;
            if (left > 0)
            {
                _byClient[clientKey] = left;
            }
            else
            {
                _byClient.Remove(clientKey);
            }
        }
    }
}
