using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KoderId.Cli.Storage;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace KoderId.Cli.Output;

/// <summary>
/// Everything a command prints goes through here: Spectre tables and text on stdout, JSON lines on stdout in
/// <c>--json</c> mode, progress bars and one-line errors on stderr. Text that came from the log is cleaned of
/// control characters first (a user agent is attacker-chosen and must not drive the terminal).
/// </summary>
internal sealed class Terminal
{
    private const int RedirectedWidth = 160;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Relaxed escaping keeps non-ASCII readable; control characters, quotes and backslashes are still escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly CliContext _context;
    private readonly SecretScrubber _scrubber;
    private IAnsiConsole? _out;

    public Terminal(CliContext context, bool json, SecretScrubber scrubber)
    {
        _context = context;
        _scrubber = scrubber;
        Json = json;
    }

    public bool Json { get; }

    public TextWriter Stdout => _context.Stdout;

    public static CultureInfo Culture => CultureInfo.InvariantCulture;

    public void WriteLine(string text = "") => Stdout.WriteLine(_scrubber.Scrub(text));

    public void Write(IRenderable renderable) => (_out ??= CreateConsole(Stdout)).Write(renderable);

    public void WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        Stdout.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>Whether stderr is an interactive terminal (progress is shown only there; a redirected stderr stays for errors).</summary>
    public bool StderrIsTerminal => !Json && new AnsiConsoleOutput(_context.Stderr).IsTerminal;

    /// <summary>Rewrites one status line on an interactive stderr (no-op elsewhere).</summary>
    public void Status(string text)
    {
        if (StderrIsTerminal)
        {
            _context.Stderr.Write($"\r{Clean(text)}\u001b[K");
            _context.Stderr.Flush();
        }
    }

    public void EndStatus()
    {
        if (StderrIsTerminal)
        {
            _context.Stderr.Write("\r\u001b[K");
            _context.Stderr.Flush();
        }
    }

    public void Error(string code, string message) => WriteError(_context.Stderr, _scrubber, code, message);

    public static void WriteError(TextWriter stderr, SecretScrubber scrubber, string code, string message) =>
        stderr.WriteLine($"{code}: {Clean(scrubber.Scrub(message))}");

    /// <summary>
    /// Runs <paramref name="work"/> with a Spectre progress bar on stderr when <paramref name="enabled"/>, stderr is an
    /// interactive terminal and the output is not JSON; <paramref name="work"/> reports (done, total) through the callback it is given.
    /// </summary>
    public async Task<T> WithProgressAsync<T>(string description, long total, bool enabled, Func<Action<long, long>, Task<T>> work)
    {
        var console = enabled && !Json ? CreateConsole(_context.Stderr) : null;

        // A bar only means something on a terminal; redirected stderr (CI logs, files) stays clean for errors.
        if (console is null || !console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            return await work(static (_, _) => { }).ConfigureAwait(false);
        }

        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(description, autoStart: true, maxValue: Math.Max(1, total));
                var result = await work((done, max) =>
                {
                    task.MaxValue = Math.Max(1, Math.Max(max, done));
                    task.Value = done;
                }).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            }).ConfigureAwait(false);
    }

    public static Table NewTable(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        }

        return table;
    }

    /// <summary>A table cell holding plain (never markup-parsed) text.</summary>
    public static IRenderable Cell(string? value) => new Text(Clean(value));

    public static IRenderable Cell(long value) => new Text(value.ToString("N0", Culture));

    public static string Number(long value) => value.ToString("N0", Culture);

    /// <summary>Replaces control and bidirectional-override characters so stored text cannot drive or disguise the terminal.</summary>
    public static string Clean(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        StringBuilder? clean = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                clean ??= new StringBuilder(value, 0, i, value.Length);
                clean.Append('?');
            }
            else
            {
                clean?.Append(c);
            }
        }

        return clean?.ToString() ?? value;
    }

    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", Culture);

    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        // Spectre detects ANSI from the environment, not from the writer: a pipe or a file must get plain text,
        // no escape codes and no interactive redraws, and whole rows rather than Spectre's assumed 80 columns.
        var output = new AnsiConsoleOutput(writer);
        var terminal = output.IsTerminal;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = output,
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
