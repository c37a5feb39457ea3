using System.Text.RegularExpressions;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Inputs laid out like ONNX's backend test data: a folder of test_data_set_N folders (or one such
/// folder itself) each holding input_0.pb, input_1.pb, ... serialized TensorProtos. A set is one
/// sample, run on its own since it carries its own batch axis. Tensors are matched to model inputs
/// by their name when every name matches, otherwise by position.
/// </summary>
public sealed partial class TensorProtoFolderSource : SampleDataSource
{
    private readonly string _folder;
    private readonly List<string> _sets;

    public TensorProtoFolderSource(IReadOnlyList<ValueDescriptor> inputs, string folder, DataSlice slice)
        : base(inputs)
    {
        if (!Directory.Exists(folder))
            throw new InvalidInputDataException("The data folder does not exist.", folder, advice: "check the --data path");
        _folder = folder;
        var sets = InputFiles(folder).Count > 0
            ? [folder]
            : Directory.GetDirectories(folder).Where(d => SetPattern().IsMatch(Path.GetFileName(d)))
                .OrderBy(d => int.Parse(SetPattern().Match(Path.GetFileName(d)).Groups[1].Value)).ToList();
        if (sets.Count == 0)
            throw new InvalidInputDataException("The folder holds neither input_N.pb files nor test_data_set_N folders.", folder,
                advice: "use ONNX's test-data layout: test_data_set_0/input_0.pb, ...");
        var (start, count) = slice.Apply(sets.Count, folder);
        _sets = sets.GetRange(start, count);
    }

    public override string Description => Path.GetFileName(Path.TrimEndingDirectorySeparator(_folder));

    public override int Count => _sets.Count;

    public override bool HasLabels => false;

    // Each set already holds a whole batch.
    protected override bool Stackable => false;

    protected override (IReadOnlyDictionary<string, TensorData> Inputs, int? Label) ReadSample(int index)
    {
        var set = _sets[index];
        var files = InputFiles(set);
        var tensors = files.Select(f => (File: f, Proto: TensorProtoDecoding.ParseFile(f))).ToList();
        var byName = tensors.All(t => Inputs.Any(i => i.Name == t.Proto.Name));
        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        for (var i = 0; i < Inputs.Count; i++)
        {
            var input = Inputs[i];
            (string File, Onnx.Protos.TensorProto Proto)? match = byName
                ? tensors.FirstOrDefault(t => t.Proto.Name == input.Name)
                : i < tensors.Count ? tensors[i] : null;
            if (match is not { } found || found.Proto is null)
                throw new InvalidInputDataException($"No .pb file gives input '{input.Name}' ({files.Count} files for {Inputs.Count} inputs).", set, input.Name);
            var tensor = TensorProtoDecoding.ToTensorData(found.Proto, found.File);
            if (!TensorConversion.CanConvert(tensor.ElementType, input.ElementType))
                throw new InvalidInputDataException($"The tensor holds {tensor.ElementType} but the input takes {input.ElementType}.", found.File, input.Name);
            if (tensor.Shape.Length != input.Shape.Length || input.Shape.Select((d, k) => d is null || d == tensor.Shape[k]).Contains(false))
                throw new InvalidInputDataException(
                    $"Shape [{string.Join(",", tensor.Shape)}] does not fit the input shape {DimensionSizes.Describe(input)}.", found.File, input.Name);
            result[input.Name] = TensorConversion.ConvertTo(tensor, input.ElementType);
        }
        return (result, null);
    }

    // input_N.pb files in numeric order.
    private static List<string> InputFiles(string folder) =>
        Directory.GetFiles(folder, "input_*.pb").Where(f => InputPattern().IsMatch(Path.GetFileName(f)))
            .OrderBy(f => int.Parse(InputPattern().Match(Path.GetFileName(f)).Groups[1].Value)).ToList();

    [GeneratedRegex(@"^test_data_set_(\d+)$")]
    private static partial Regex SetPattern();

    [GeneratedRegex(@"^input_(\d+)\.pb$")]
    private static partial Regex InputPattern();
}
