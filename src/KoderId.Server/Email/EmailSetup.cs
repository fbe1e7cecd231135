using KoderId.Application.Email;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Storage;
using KoderId.Server.Api;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KoderId.Server.Email;

/// <summary>The email feature in the host: SMTP sender, link sealing, origins, delivery and the log subscriber; its endpoints and pages.</summary>
public static class EmailSetup
{
    public static IServiceCollection AddKoderIdEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddKoderIdEmailCore();

        // The flows' transient store (ADR 0006); the in-memory one until a storage driver registers its own.
        services.TryAddSingleton<ITransientStore>(sp => new InMemoryTransientStore(sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IEmailSender, MailKitEmailSender>();
        services.TryAddSingleton<IEmailLinkProtector, EmailLinkProtector>();
        services.TryAddSingleton<IEmailOrigins, ConfiguredEmailOrigins>();
        services.AddHostedService<EmailDeliveryService>();
        services.AddHostedService<EmailNotificationsService>();
        return services;
    }

    public static IEndpointRouteBuilder MapKoderIdEmail(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapEmailApi();
        endpoints.MapEmailPages();
        return endpoints;
    }
}
