using KoderId.Application.Credentials;
using KoderId.Domain;
using KoderId.EventSourcing.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace KoderId.Server.Errors;

/// <summary>
/// Turns an exception into a problem: a domain refusal, an API refusal or a store error keeps its stable code (docs/errors.md) in the <c>code</c>
/// member; anything else is a bare 500. The response never carries a stack trace or an internal message.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, code) = exception switch
        {
            DomainException e => (DomainErrorStatus.Of(e), "The request was refused.", e.Message, e.Code),
            ApiProblemException e => (e.Status, e.Title, e.Detail, e.Code),
            KoderId.Server.Account.AccountProblemException e => (e.Status, e.Message, null, e.Code),
            KoderId.Application.Flows.FlowException e => (FlowStatus(e.Code), e.Message, null, e.Code),
            PasswordPolicyException e => (StatusCodes.Status400BadRequest, "The password does not meet the policy.", null, e.Codes[0]),
            InvalidCredentialsException => (StatusCodes.Status400BadRequest, "The current password is not valid.", null, InvalidCredentialsException.Code),
            PasswordHashingBusyException => (StatusCodes.Status503ServiceUnavailable, "Password hashing is at capacity.", null, PasswordHashingBusyException.Code),
            WrongExpectedVersionException e => (StatusCodes.Status409Conflict, "The resource was changed by another request.", e.Message, e.Code),
            UniqueClaimViolationException e => (StatusCodes.Status409Conflict, "The value is already taken.", e.Message, e.Code),
            WrongTenantException e => (StatusCodes.Status404NotFound, "Not found in this tenant.", null, e.Code),
            InvalidAppendException e => (StatusCodes.Status400BadRequest, "The request cannot be stored.", e.Message, e.Code),
            EventStoreUnavailableException e => (StatusCodes.Status503ServiceUnavailable, "Storage is unavailable.", null, e.Code),
            EventStoreException e => (StatusCodes.Status500InternalServerError, "Stored data cannot be read.", null, e.Code),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, "The request body is too large.", null, ApiErrors.BodyTooLarge),
            BadHttpRequestException e => (e.StatusCode, "The request is malformed.", null, null),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested =>
                (StatusCodes.Status499ClientClosedRequest, "The client closed the request.", null, null),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null, (string?)null),
        };

        if (exception is PasswordHashingBusyException)
        {
            // Load shedding, not a failure: the client is told when to retry.
            httpContext.Items[KoderId.Server.Observability.ObservabilitySetup.ShedItem] = true;
            LogShed(httpContext.Request.Method, httpContext.Request.Path);
        }
        else if (status >= StatusCodes.Status500InternalServerError)
        {
            LogServerError(exception, code ?? "none", httpContext.Request.Method, httpContext.Request.Path);
        }
        else
        {
            LogClientError(code ?? "none", status, exception.GetType().Name);
        }

        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (code is not null)
        {
            problem.Extensions["code"] = code;
        }

        if (exception is KoderId.Server.Account.AccountProblemException account)
        {
            problem.Extensions["reauthenticate"] = account.SignIn;
        }

        if (exception is PasswordPolicyException policy)
        {
            // Every rule broken, so a form can show them all at once; codes and names only, never the password.
            problem.Extensions["errors"] = policy.Errors.Select(e => new { code = e.Code, name = e.Name }).ToArray();
        }

        httpContext.Response.StatusCode = status;
        if (exception is KoderId.Application.Flows.FlowException { RetryAfter: { } retry })
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = exception is PasswordHashingBusyException busy
                ? ((int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "5";
        }

        // A client that accepts no JSON gets the status alone: still handled, so no other handler adds a body.
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
        return true;
    }

    private static int FlowStatus(string code) => code switch
    {
        KoderId.Application.Flows.FlowErrors.NotFound => StatusCodes.Status404NotFound,
        KoderId.Application.Flows.FlowErrors.Failed => StatusCodes.Status401Unauthorized,
        KoderId.Application.Flows.FlowErrors.Throttled => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status400BadRequest,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {Method} {Path} shed: password hashing is at capacity (503, code KID1106)")]
    private partial void LogShed(string method, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Method} {Path} failed (code {Code})")]
    private partial void LogServerError(Exception exception, string code, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request refused with {Status} (code {Code}, {ErrorType})")]
    private partial void LogClientError(string code, int status, string errorType);
}
