using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using MockCodec = OnSale.Mocks.VenueBackend.XmlRpc.XmlRpcCodec;
using MockStruct = OnSale.Mocks.VenueBackend.XmlRpc.XmlRpcStruct;

namespace OnSale.Tests.Common.Generators;

/// <summary>An XML-RPC array as generated: its items in order.</summary>
public sealed record XmlRpcArray(IReadOnlyList<object?> Items)
{
    public override string ToString() => XmlRpcValues.Describe(this);
}

/// <summary>An XML-RPC struct as generated: members with distinct names.</summary>
public sealed record XmlRpcMembers(IReadOnlyList<KeyValuePair<string, object?>> Members)
{
    public override string ToString() => XmlRpcValues.Describe(this);
}

/// <summary>
/// FsCheck generators of every value the contract's XML-RPC binding can carry (CONTRACT.md §1): int, string of any
/// characters XML 1.0 allows, boolean, dateTime in UTC to the second, arrays and structs, nested. Scalars are CLR
/// values; arrays and structs are <see cref="XmlRpcArray"/> and <see cref="XmlRpcMembers"/>.
/// </summary>
public static class XmlRpcValues
{
    private static readonly Gen<int> CodePoint = Gen.Frequency(
        (8, Gen.Choose(0x20, 0x7E)),
        (3, Gen.Elements(0x09, 0x0A, 0x0D, 0x20, '<', '>', '&', '"', '\'', ']')),
        (2, Gen.Choose(0x7F, 0xD7FF)),
        (1, Gen.Choose(0xE000, 0xFFFD)),
        (1, Gen.Choose(0x10000, 0x10FFFF)));

    private static readonly Gen<object?> Scalar = Gen.OneOf(
        Gen.Frequency((3, Gen.Choose(-1000, 1000)), (1, Gen.Elements(int.MinValue, int.MaxValue, 0)), (2, Gen.Choose(int.MinValue, int.MaxValue))).Select(i => (object?)i),
        Text().Select(s => (object?)s),
        Gen.Elements(true, false).Select(b => (object?)b),
        DateTimes().Select(t => (object?)t));

    /// <summary>Strings of any characters XML 1.0 allows: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF.</summary>
    public static Gen<string> Text() =>
        CodePoint.Select(char.ConvertFromUtf32).ListOf().Select(string.Concat);

    /// <summary>Instants from year 1 to 9999 in whole seconds, offset zero.</summary>
    public static Gen<DateTimeOffset> DateTimes() =>
        Gen.Zip(Gen.Choose(0, 3_652_058), Gen.Choose(0, 86_399), (day, second) =>
            new DateTimeOffset(DateTime.MinValue.AddDays(day).AddSeconds(second), TimeSpan.Zero));

    /// <summary>Any contract value, arrays and structs nested a few levels; shrinks towards smaller and simpler values.</summary>
    public static Arbitrary<object?> Values() => Arb.From(Gen.Sized(size => ValueOfSize(Math.Min(size, 40))), Shrink);

    /// <summary>Positional parameters as the library sends them: scalars only (no operation takes an array or struct).</summary>
    public static Arbitrary<XmlRpcArray> Parameters() =>
        Arb.From(Scalar.ListOf().Select(items => new XmlRpcArray(items)), p => Shrink(p).OfType<XmlRpcArray>());

    /// <summary>The methodResponse the mock backend's own codec writes for <paramref name="value"/>.</summary>
    public static byte[] WrittenByTheMock(object? value) => MockCodec.WriteResponse(ToMock(value));

    /// <summary><paramref name="value"/> in the mock codec's own types: arrays as lists, structs as its XmlRpcStruct.</summary>
    public static object? ToMock(object? value) => value switch
    {
        XmlRpcArray array => array.Items.Select(ToMock).ToList(),
        XmlRpcMembers members => new MockStruct([.. members.Members.Select(m => KeyValuePair.Create(m.Key, ToMock(m.Value)))]),
        _ => value,
    };

    /// <summary>
    /// A canonical text of a value, whoever decoded it (generated values, the library's dictionaries and lists, the
    /// mock's structs): equal values give equal texts, so an assertion on two of them shows where they differ.
    /// Struct members are in name order (XML-RPC structs have none); types are explicit.
    /// </summary>
    public static string Describe(object? value)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, value);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Gen<object?> ValueOfSize(int size) => size <= 1
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Gen.Choose(0, 5).SelectMany(n => ValueOfSize(size / 3).ListOf(n)).Select(items => (object?)new XmlRpcArray(items))),
            (1, Gen.Choose(0, 5).SelectMany(n => Gen.Zip(Text(), ValueOfSize(size / 3)).ListOf(n)).Select(members => (object?)new XmlRpcMembers(
                [.. members.DistinctBy(m => m.Item1, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Item1, m.Item2))]))));

    private static IEnumerable<object?> Shrink(object? value)
    {
        switch (value)
        {
            case XmlRpcArray array:
                foreach (var item in array.Items)
                {
                    yield return item;
                }

                for (var i = 0; i < array.Items.Count; i++)
                {
                    yield return new XmlRpcArray([.. array.Items.Take(i), .. array.Items.Skip(i + 1)]);
                }

                for (var i = 0; i < array.Items.Count; i++)
                {
                    foreach (var smaller in Shrink(array.Items[i]))
                    {
                        yield return new XmlRpcArray([.. array.Items.Take(i), smaller, .. array.Items.Skip(i + 1)]);
                    }
                }

                break;
            case XmlRpcMembers members:
                foreach (var member in members.Members)
                {
                    yield return member.Value;
                }

                for (var i = 0; i < members.Members.Count; i++)
                {
                    yield return new XmlRpcMembers([.. members.Members.Take(i), .. members.Members.Skip(i + 1)]);
                }

                for (var i = 0; i < members.Members.Count; i++)
                {
                    var (name, member) = (members.Members[i].Key, members.Members[i].Value);
                    foreach (var smaller in Shrink(member))
                    {
                        yield return new XmlRpcMembers([.. members.Members.Take(i), KeyValuePair.Create(name, smaller), .. members.Members.Skip(i + 1)]);
                    }
                }

                break;
            case string text:
                foreach (var shorter in ShrinkText(text))
                {
                    yield return shorter;
                }

                break;
            case int number when number != 0:
                yield return 0;
                if (number / 2 != 0)
                {
                    yield return number / 2;
                }

                break;
        }
    }

    // Removes whole code points (never half a surrogate pair): the first half, the second half, then each one.
    private static IEnumerable<string> ShrinkText(string text)
    {
        var runes = text.EnumerateRunes().Select(r => r.ToString()).ToList();
        if (runes.Count == 0)
        {
            yield break;
        }

        yield return string.Empty;
        if (runes.Count > 2)
        {
            yield return string.Concat(runes.Take(runes.Count / 2));
            yield return string.Concat(runes.Skip(runes.Count / 2));
        }

        for (var i = 0; i < runes.Count && runes.Count <= 16; i++)
        {
            yield return string.Concat(runes.Take(i).Concat(runes.Skip(i + 1)));
        }
    }

    private static void Write(Utf8JsonWriter json, object? value)
    {
        json.WriteStartObject();
        switch (value)
        {
            case null:
                json.WriteNull("nil");
                break;
            case int number:
                json.WriteNumber("int", number);
                break;
            case long number:
                json.WriteNumber("i8", number);
                break;
            case bool flag:
                json.WriteBoolean("boolean", flag);
                break;
            case string text:
                json.WriteString("string", text);
                break;
            case double number:
                json.WriteString("double", number.ToString("R", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset time:
                json.WriteString("dateTime.iso8601", time.ToString("O", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                json.WriteBase64String("base64", bytes);
                break;
            case XmlRpcMembers members:
                WriteStruct(json, members.Members);
                break;
            case MockStruct members:
                WriteStruct(json, members.Members);
                break;
            case IReadOnlyDictionary<string, object?> members:
                WriteStruct(json, [.. members]);
                break;
            case XmlRpcArray array:
                WriteArray(json, array.Items);
                break;
            case IEnumerable items:
                WriteArray(json, items.Cast<object?>());
                break;
            default:
                json.WriteString("unknown " + value.GetType().Name, value.ToString());
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteStruct(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, object?>> members)
    {
        json.WriteStartArray("struct");
        foreach (var (name, member) in members.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WritePropertyName("value");
            Write(json, member);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteArray(Utf8JsonWriter json, IEnumerable<object?> items)
    {
        json.WriteStartArray("array");
        foreach (var item in items)
        {
            Write(json, item);
        }

        json.WriteEndArray();
    }
}
