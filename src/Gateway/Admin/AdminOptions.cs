namespace OnSale.Gateway.Admin;

/// <summary>The admin API (section <c>Gateway:Admin</c>).</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Gateway:Admin";

    /// <summary>The bearer key for <c>/admin/api/*</c>. Without it the admin API does not exist (404).</summary>
    public string? ApiKey { get; set; }
}
