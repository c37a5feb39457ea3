using System.CommandLine;
using OnnxLowRank.Core.Data;

namespace OnnxLowRank.Cli.Commands;

/// <summary>The options that say which inputs to run a model on.</summary>
internal sealed class DataOptions
{
    public DataOptions(string name, string description, bool required)
    {
        Data = new Option<string>(name) { Description = description, Required = required, HelpName = "DATA" };
    }

    public Option<string> Data { get; }

    public Option<string?> Labels { get; } = new("--labels")
    {
        Description = "Class labels: an IDX labels file (gzip or not) or a 1-D integer .npy; enables accuracy",
        HelpName = "FILE",
    };

    public Option<string?> Normalize { get; } = new("--normalize")
    {
        Description = "Image normalisation after scaling bytes to [0,1], e.g. 0.2860,0.3530 (IDX images only)",
        HelpName = "MEAN,STD",
    };

    public Option<int> Offset { get; } = new Option<int>("--offset") { Description = "Samples to skip", HelpName = "N" }.AtLeast(0);

    public Option<int?> Limit { get; } = new("--limit") { Description = "Samples to use at most (random data: how many to make, default 16)", HelpName = "N" };

    public Option<int> Batch { get; } = new Option<int>("--batch") { Description = "Samples per run", DefaultValueFactory = _ => 32, HelpName = "N" }.AtLeast(1);

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for random data", HelpName = "N" };

    public TextOptions Text { get; } = new();

    public void AddTo(Command command)
    {
        command.Add(Data);
        command.Add(Labels);
        command.Add(Normalize);
        command.Add(Offset);
        command.Add(Limit);
        command.Add(Batch);
        command.Add(Seed);
        Text.AddTo(command);
        Limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--limit must be at least 1.");
        });
    }

    /// <summary>The data options, random data sized by <paramref name="dimensions"/> (the command's --dim).</summary>
    public DataSourceOptions Read(ParseResult result, DimensionOption dimensions) => Text.Apply(result, new()
    {
        LabelsPath = result.GetValue(Labels),
        Normalization = result.GetValue(Normalize) is { } text ? PixelNormalization.Parse(text) : PixelNormalization.UnitRange,
        Slice = new DataSlice(result.GetValue(Offset), result.GetValue(Limit)),
        Dimensions = dimensions.Read(result),
        Seed = result.GetValue(Seed),
    });
}
