namespace OnSale.Gateway.Admin;

/// <summary>The admin API and the support console (section <c>Gateway:Admin</c>).</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Gateway:Admin";

    /// <summary>
    /// The bearer key of the operator named <c>admin</c>. Without it and without <see cref="Operators"/> the admin API
    /// does not exist (404).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Named operators (<c>Gateway:Admin:Operators:{name}:Key</c> / <c>:Role</c>); audit lines carry the name.</summary>
    public Dictionary<string, OperatorOptions> Operators { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Where the console links a purchase's trace: a URL with <c>{traceId}</c> in it (a Jaeger or Tempo UI, say). Without
    /// it the console shows the trace id to copy.
    /// </summary>
    public string? TraceUrl { get; set; }
}

/// <summary>One named operator.</summary>
public sealed class OperatorOptions
{
    /// <summary>The operator's bearer key, at least <see cref="Operator.MinimumKeyLength"/> characters.</summary>
    public string? Key { get; set; }

    /// <summary><c>viewer</c> (reads only) or <c>operator</c> (may change mode, banner and queues); <c>operator</c> when not set.</summary>
    public string? Role { get; set; }
}
