using Spectre.Console;

namespace OnnxLowRank.Cli.Terminal;

/// <summary>
/// Where a command writes: results to standard output (tables, JSON), progress and errors to
/// standard error, so that piping the results never captures a progress bar.
/// </summary>
public sealed class ConsoleSession
{
    public ConsoleSession(TextWriter stdout, TextWriter stderr, bool interactive, bool quiet, bool verbose)
    {
        Out = CreateConsole(stdout, interactive);
        ErrorConsole = CreateConsole(stderr, interactive);
        Stdout = stdout;
        Error = stderr;
        Quiet = quiet;
        Verbose = verbose;
        ShowProgress = interactive && !quiet;
    }

    /// <summary>Standard output, for results.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>Standard output as plain text, for machine-readable results (JSON).</summary>
    public TextWriter Stdout { get; }

    /// <summary>Standard error as plain text, for one-line messages.</summary>
    public TextWriter Error { get; }

    public bool Quiet { get; }

    public bool Verbose { get; }

    public bool ShowProgress { get; }

    private IAnsiConsole ErrorConsole { get; }

    // Redirected output gets no colour codes and a width that fits the widest table instead of 80 columns.
    private static IAnsiConsole CreateConsole(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!interactive) console.Profile.Width = 160;
        return console;
    }

    /// <summary>A line of information on standard error, unless --quiet.</summary>
    public void Info(string line)
    {
        if (!Quiet) Error.WriteLine(line);
    }

    /// <summary>
    /// Runs <paramref name="work"/>, which reports progress through the callback it is given
    /// (a stage name, units done, units in total); shown as bars only on an interactive terminal.
    /// </summary>
    public T WithProgress<T>(Func<Action<string, double, double>, T> work)
    {
        if (!ShowProgress) return work((_, _, _) => { });
        return ErrorConsole.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var gate = new object();
                return work((stage, done, total) =>
                {
                    // Pipeline stages report from several threads.
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(stage, out var task)) tasks[stage] = task = context.AddTask(Markup.Escape(stage), maxValue: Math.Max(total, 1));
                        task.MaxValue = Math.Max(total, 1);
                        task.Value = Math.Min(done, task.MaxValue);
                    }
                });
            });
    }
}
