using KoderId.Application.Flows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KoderId.Application.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>
    /// The email feature's application services and the <c>email-otp</c> factor. The host supplies
    /// <see cref="IEmailSender"/>, <see cref="IEmailLinkProtector"/>, <see cref="IEmailOrigins"/>, an
    /// <c>ITransientStore</c>, and drains <see cref="EmailOutbox"/>.
    /// </summary>
    public static IServiceCollection AddKoderIdEmailCore(this IServiceCollection services)
    {
        services.TryAddSingleton<EmailOutbox>();
        services.TryAddSingleton<EmailLinks>();
        services.TryAddSingleton<EmailMailer>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IAuthenticationFactor, EmailOtpFactor>());
        return services;
    }
}
