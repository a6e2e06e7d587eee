using System.Globalization;

namespace OnSale.Gateway.Infrastructure.Metrics;

/// <summary>
/// The identity of one series: its tags sorted by key, values as the text they are exported as (so that the boxed
/// <c>200</c> and the string <c>"200"</c> are one series, as they are one line in the output).
/// </summary>
internal sealed class TagSet
{
    // Big enough for any number, date or GUID, so that formatting them for a lookup does not allocate.
    internal const int FormatBufferLength = 64;

    private TagSet(KeyValuePair<string, string>[] tags, int hash)
    {
        Tags = tags;
        Hash = hash;
        Labels = PrometheusTextWriter.FormatLabels(tags);
    }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; }

    public int Hash { get; }

    /// <summary>The labels as written in the exposition format, without braces.</summary>
    public string Labels { get; }

    /// <summary>Copies tags that are already sorted by key (ordinal).</summary>
    public static TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> sortedTags)
    {
        var tags = new KeyValuePair<string, string>[sortedTags.Length];
        var hash = new HashCode();
        for (var i = 0; i < sortedTags.Length; i++)
        {
            var value = FormatValue(sortedTags[i].Value);
            tags[i] = new(sortedTags[i].Key, value);
            hash.Add(sortedTags[i].Key.GetHashCode(StringComparison.Ordinal));
            hash.Add(value.GetHashCode(StringComparison.Ordinal));
        }

        return new TagSet(tags, hash.ToHashCode());
    }

    /// <summary>A tag value as text: invariant culture, booleans as <c>true</c>/<c>false</c>, null as empty.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>As <see cref="FormatValue"/>, into <paramref name="buffer"/> when the value can be formatted there.</summary>
    public static ReadOnlySpan<char> FormatValue(object? value, Span<char> buffer) => value switch
    {
        string text => text,
        bool => FormatValue(value),
        ISpanFormattable formattable when formattable.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture) => buffer[..written],
        _ => FormatValue(value),
    };
}

/// <summary>
/// Compares stored tag sets with the sorted tags of a measurement without allocating, so that recording into an
/// existing series (the hot path) costs a hash and a dictionary lookup.
/// </summary>
internal sealed class TagSetComparer :
    IEqualityComparer<TagSet>,
    IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
{
    public static readonly TagSetComparer Instance = new();

    public bool Equals(TagSet? x, TagSet? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Hash != y.Hash || x.Tags.Count != y.Tags.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Tags.Count; i++)
        {
            if (!string.Equals(x.Tags[i].Key, y.Tags[i].Key, StringComparison.Ordinal) ||
                !string.Equals(x.Tags[i].Value, y.Tags[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(TagSet obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other)
    {
        if (alternate.Length != other.Tags.Count)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[TagSet.FormatBufferLength];
        for (var i = 0; i < alternate.Length; i++)
        {
            var stored = other.Tags[i];
            if (!string.Equals(alternate[i].Key, stored.Key, StringComparison.Ordinal) ||
                !TagSet.FormatValue(alternate[i].Value, buffer).SequenceEqual(stored.Value))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
    {
        // string.GetHashCode(ReadOnlySpan<char>) equals the string's own ordinal hash, so this matches TagSet.Create.
        Span<char> buffer = stackalloc char[TagSet.FormatBufferLength];
        var hash = new HashCode();
        foreach (var tag in alternate)
        {
            hash.Add(tag.Key.GetHashCode(StringComparison.Ordinal));
            hash.Add(string.GetHashCode(TagSet.FormatValue(tag.Value, buffer)));
        }

        return hash.ToHashCode();
    }

    public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => TagSet.Create(alternate);
}
