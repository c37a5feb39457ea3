using System.CommandLine;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Cli.Commands;

/// <summary>
/// --dim: the sizes of a model's symbolic input dimensions, one set per command for every run it makes on
/// generated inputs (FLOP measurement, layer timing, random data, verification of the written model).
/// --shape, which once sized random data alone, is the same option under its old name.
/// </summary>
internal sealed class DimensionOption
{
    public Option<string[]> Option { get; } = new("--dim", "--shape")
    {
        Description = "Size of a symbolic input dimension: NAME=SIZE, INPUT:AXIS=SIZE, INPUT=1x3x224x224 or a bare 1x3x224x224 "
            + "for the next input (repeatable; unsized dimensions run at 1, and a run that fails there names them)",
        HelpName = "DIM=SIZE",
    };

    public void AddTo(Command command)
    {
        command.Add(Option);
        Option.Validators.Add(result =>
        {
            try
            {
                DimensionSizes.Parse(result.Tokens.Select(t => t.Value));
            }
            catch (InvalidOptionsException e)
            {
                result.AddError(e.Message);
            }
        });
    }

    public DimensionSizes Read(ParseResult result) => DimensionSizes.Parse(result.GetValue(Option) ?? []);
}
