namespace KoderId.Server.Errors;

/// <summary>The KID2xxx codes of the REST surface (docs/errors.md). A code is never reused for another meaning.</summary>
public static class ApiErrors
{
    public const string Unauthenticated = "KID2001";
    public const string Forbidden = "KID2002";
    public const string MalformedBody = "KID2003";
    public const string UnknownField = "KID2004";
    public const string BodyTooLarge = "KID2005";
    public const string UnsupportedMediaType = "KID2006";
    public const string InvalidQuery = "KID2007";
    public const string FlowNotFound = Application.Flows.FlowErrors.NotFound;
    public const string FlowFailed = Application.Flows.FlowErrors.Failed;
    public const string FlowStepNotOffered = Application.Flows.FlowErrors.StepNotOffered;
    public const string FlowThrottled = Application.Flows.FlowErrors.Throttled;

    // KID2230-KID2259: passkeys and the account pages' JSON calls (ADR 0006).
    public const string AccountSessionRequired = "KID2230";
    public const string AccountReauthenticationRequired = "KID2231";
    public const string AccountForgedRequest = "KID2232";
    // KID2260-KID2279: email verification, password reset and email sign-in (ADR 0006).
    public const string EmailResendThrottled = "KID2260";
    public const string PasswordResetInvalidRequest = "KID2261";
    /// <summary>KID2220-KID2229: the MFA self-service API. A removal's body names neither or both of password and code.</summary>
    public const string MfaInvalidReauthentication = "KID2220";

    // KID2280-KID2289: audit replay, as-of and verify (issue 6).
    public const string AuditBadTime = "KID2280";
    public const string AuditEmptyRange = "KID2281";
    public const string AuditUnknownFormat = "KID2282";
    public const string AuditBadFilter = "KID2283";
    public const string AuditMissingParameter = "KID2284";
    public const string AuditBusy = "KID2285";

    /// <summary><c>POST /v1/admin/import/zitadel</c>: the body is not JSON, or not a Zitadel export (the <c>path</c> member says where).</summary>
    public const string ImportInvalidExport = "KID2290";

    /// <summary><c>POST /v1/admin/import/zitadel</c>: an org failed validation or a write; the problem holds every error and the report.</summary>
    public const string ImportOrgsFailed = "KID2291";

    /// <summary>The largest request body the API reads (1 MiB).</summary>
    public const long MaxBodyBytes = 1024 * 1024;
}

/// <summary>A request refused before it reaches a command: answered as a problem with its code, nothing is written.</summary>
public sealed class ApiProblemException(int status, string code, string title, string? detail = null) : Exception(title)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;
}
