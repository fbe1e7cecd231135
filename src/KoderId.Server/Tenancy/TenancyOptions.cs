namespace KoderId.Server.Tenancy;

/// <summary><c>KoderId:Tenancy</c>: <c>{tenant}.{BaseDomain}</c> is each tenant's own host name; the bare base domain is <c>default</c>.</summary>
public sealed class TenancyOptions
{
    public const string Section = "KoderId:Tenancy";

    public string? BaseDomain { get; set; }
}
