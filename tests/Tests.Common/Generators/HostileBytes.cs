using System.Security;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace OnSale.Tests.Common.Generators;

/// <summary>What a mutation does at its place in the document.</summary>
public enum EditKind
{
    /// <summary>Replaces one byte with any byte.</summary>
    ReplaceByte,

    /// <summary>Deletes up to 40 bytes.</summary>
    Delete,

    /// <summary>Inserts a piece of markup (<c>&lt;</c>, <c>&amp;</c>, <c>]]&gt;</c>, a DOCTYPE, a tag, NUL…).</summary>
    InsertMarkup,

    /// <summary>Cuts the document off.</summary>
    Truncate,

    /// <summary>Inserts a number-breaking text (an overflow, a sign, a letter, a fraction) before the next digit.</summary>
    BreakNumber,

    /// <summary>Copies up to 80 bytes of the document to the place.</summary>
    Duplicate,
}

/// <summary>One edit of a mutation; positions and picks wrap around what they index.</summary>
public readonly record struct Edit(EditKind Kind, int At, int Length, int Pick);

/// <summary>A valid document and the edits that break it; <see cref="ToString"/> shows the result.</summary>
public sealed record Mutation(byte[] Original, IReadOnlyList<Edit> Edits)
{
    private static readonly string[] Markup = ["<", ">", "&", "&amp;", "]]>", "<!DOCTYPE x>", "<value>", "</struct>", "\0", "-", "&#0;", "<![CDATA["];
    private static readonly string[] NumberBreakers = ["9999999999", "-", "x", " ", "1.5"];

    /// <summary>The mutated bytes.</summary>
    public byte[] Apply()
    {
        var bytes = new List<byte>(Original);
        foreach (var edit in Edits)
        {
            if (bytes.Count == 0)
            {
                break;
            }

            var at = edit.At % bytes.Count;
            switch (edit.Kind)
            {
                case EditKind.ReplaceByte:
                    bytes[at] = (byte)edit.Pick;
                    break;
                case EditKind.Delete:
                    bytes.RemoveRange(at, Math.Min(1 + (edit.Length % 40), bytes.Count - at));
                    break;
                case EditKind.InsertMarkup:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Markup[edit.Pick % Markup.Length]));
                    break;
                case EditKind.Truncate:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case EditKind.BreakNumber:
                    var digitAt = bytes.FindIndex(at, b => b is >= (byte)'0' and <= (byte)'9');
                    if (digitAt >= 0)
                    {
                        bytes.InsertRange(digitAt, Encoding.UTF8.GetBytes(NumberBreakers[edit.Pick % NumberBreakers.Length]));
                    }

                    break;
                default:
                    var from = edit.Pick % bytes.Count;
                    bytes.InsertRange(at, bytes.GetRange(from, Math.Min(1 + (edit.Length % 80), bytes.Count - from)));
                    break;
            }
        }

        return [.. bytes];
    }

    public override string ToString() => $"{string.Join(", ", Edits)} → {HostileBytes.Show(Apply())}";
}

/// <summary>Untrusted input for decoders, as FsCheck arbitraries that shrink towards small inputs.</summary>
public static class HostileBytes
{
    private static readonly string[] XmlRpcNames =
    [
        "methodResponse", "methodCall", "methodName", "params", "param", "fault", "value", "int", "i4", "i8", "boolean",
        "string", "double", "dateTime.iso8601", "base64", "nil", "struct", "member", "name", "array", "data",
    ];

    private static readonly string[] Texts =
    [
        "", " ", "1", "0", "-7", "2147483648", "1.5", "NaN", "20261122T09:00:00", "2026-11-22T09:00:00Z", "aGk=", "faultCode",
        "faultString", "x", "\t\n", "&amp;", "&lt;", "&#x1F600;", "<![CDATA[<>]]>", "é", "\uFFFD",
    ];

    /// <summary>
    /// 1 to 3 edits of one of <paramref name="originals"/>: a byte replaced, bytes deleted, markup inserted, the end
    /// cut off, a number broken, a span repeated. Shrinks by dropping edits.
    /// </summary>
    public static Arbitrary<Mutation> Mutations(Gen<byte[]> originals)
    {
        var edit = Gen.Zip(
            Gen.Zip(Gen.Elements(Enum.GetValues<EditKind>()), Gen.Choose(0, int.MaxValue)),
            Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, 255)),
            (kindAt, lengthPick) => new Edit(kindAt.Item1, kindAt.Item2, lengthPick.Item1, lengthPick.Item2));
        var mutations = Gen.Zip(originals, Gen.Choose(1, 3).SelectMany(n => edit.ListOf(n)), (original, edits) => new Mutation(original, edits));
        return Arb.From(mutations, m => Enumerable.Range(0, m.Edits.Count)
            .Where(_ => m.Edits.Count > 1)
            .Select(i => m with { Edits = [.. m.Edits.Take(i), .. m.Edits.Skip(i + 1)] }));
    }

    /// <summary>
    /// Documents no backend should send: any bytes; XML-RPC tags in any order; well-formed trees of XML-RPC elements
    /// in any arrangement; and values nested tens of thousands deep. Shrinks by halving.
    /// </summary>
    public static Arbitrary<Document> Documents()
    {
        var anyBytes = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b));
        var tagSoup = Gen.OneOf(
                Gen.Elements(XmlRpcNames).Select(n => $"<{n}>"),
                Gen.Elements(XmlRpcNames).Select(n => $"</{n}>"),
                Gen.Elements(Texts))
            .ListOf()
            .Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts)));
        var trees = Gen.Sized(size => Tree(Math.Min(size, 60))).Select(root => Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?>" + root));
        var deep = Gen.Zip(Gen.Choose(1, 30_000), Gen.Elements("<value><array><data>", "<value>", "<a>"), Nest);
        var documents = Gen.Frequency((2, anyBytes), (2, tagSoup), (5, trees), (1, deep)).Select(bytes => new Document(bytes));
        return Arb.From(documents, d => Halves(d.Bytes).Select(bytes => new Document(bytes)));
    }

    /// <summary>A short readable form of <paramref name="bytes"/> for failure messages.</summary>
    public static string Show(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return text.Length <= 400 ? $"\"{text}\"" : $"\"{text[..200]}…{text[^200..]}\" ({bytes.Length} bytes)";
    }

    private static Gen<string> Tree(int size)
    {
        var text = Gen.Elements(Texts).Select(t => SecurityElement.Escape(t) ?? t);
        if (size <= 1)
        {
            return text;
        }

        return Gen.Frequency(
            (1, text),
            (3, Gen.Zip(Gen.Elements(XmlRpcNames), Gen.Choose(0, 4).SelectMany(n => Tree(size / 2).ListOf(n)), (name, children) =>
                $"<{name}>{string.Concat(children)}</{name}>")));
    }

    private static byte[] Nest(int depth, string open)
    {
        var close = string.Concat(open.Split('<', StringSplitOptions.RemoveEmptyEntries).Reverse().Select(tag => "</" + tag));
        var text = new StringBuilder("<?xml version=\"1.0\"?><methodResponse><params><param>", (open.Length + close.Length) * depth + 100);
        text.Insert(text.Length, open, depth).Insert(text.Length, close, depth).Append("</param></params></methodResponse>");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static IEnumerable<byte[]> Halves(byte[] bytes)
    {
        if (bytes.Length < 2)
        {
            yield break;
        }

        yield return bytes[..(bytes.Length / 2)];
        yield return bytes[(bytes.Length / 2)..];
        yield return [.. bytes[..(bytes.Length / 4)], .. bytes[(bytes.Length * 3 / 4)..]];
    }
}

/// <summary>Bytes to decode; <see cref="ToString"/> shows them as text.</summary>
public sealed record Document(byte[] Bytes)
{
    public override string ToString() => HostileBytes.Show(Bytes);
}
