using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KoderId.Server.Tests.Infrastructure;

/// <summary>Every log line of a host at every level, with its state and exception, as text: for "never logged" assertions.</summary>
public sealed class CapturedLogs : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        Lines.Enqueue(state.ToString() ?? "");
        return null;
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        Lines.Enqueue($"{formatter(state, exception)} {values} {exception}");
    }

    public void Dispose() => Lines.Clear();
}
