using System.IO.Compression;
using OnnxLowRank.Core.Execution;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Inputs from numpy files: one .npy array for a single-input model, or an .npz archive whose
/// entries are named after the model inputs (a lone unnamed entry such as arr_0 feeds a
/// single-input model). Axis 0 of every array counts samples; each row is reshaped to the input's
/// shape with batch 1 (so [N,784] or [N,28,28] feed a [batch,1,28,28] input), and an array with
/// one axis fewer than the input is a single sample. An npz entry named "labels" supplies labels.
/// </summary>
public sealed class NumpyDataSource : SampleDataSource
{
    private const string LabelsEntry = "labels";

    private readonly string _path;
    private readonly Dictionary<string, (TensorData Array, long[] RowShape)> _arrays = new(StringComparer.Ordinal);
    private readonly int[]? _labels;
    private readonly int _start;

    public NumpyDataSource(IReadOnlyList<ValueDescriptor> inputs, string path, string? labelsPath, DataSlice slice)
        : base(inputs)
    {
        _path = path;
        var arrays = ReadArrays(path);
        if (arrays.Remove(LabelsEntry, out var labelArray) && labelsPath is null)
            _labels = LabelFile.ToLabels(labelArray, $"{path}:{LabelsEntry}");
        if (labelsPath is not null) _labels = LabelFile.Read(labelsPath);

        int? rows = null;
        foreach (var input in inputs)
        {
            if (!arrays.TryGetValue(input.Name, out var array))
            {
                if (inputs.Count == 1 && arrays.Count == 1) array = arrays.Values.Single();
                else
                    throw new InvalidInputDataException($"No array is named after input '{input.Name}'.", path, input.Name,
                        $"the file holds {(arrays.Count == 0 ? "no arrays" : string.Join(", ", arrays.Keys))}; save the inputs with numpy.savez(path, {input.Name}=...)");
            }
            if (!TensorConversion.CanConvert(array.ElementType, input.ElementType))
                throw new InvalidInputDataException($"The array holds {array.ElementType} but the input takes {input.ElementType}.", path, input.Name);
            array = TensorConversion.ConvertTo(array, input.ElementType);

            var (arrayRows, rowShape) = Rows(input, array)
                ?? throw new InvalidInputDataException(
                    $"An array of shape [{string.Join(",", array.Shape)}] does not fit the input shape {DimensionSizes.Describe(input)}.", path, input.Name,
                    "axis 0 should count samples");
            if (rows is not null && rows != arrayRows)
                throw new InvalidInputDataException($"The arrays disagree on the number of samples ({rows} and {arrayRows}).", path, input.Name);
            rows = arrayRows;
            _arrays[input.Name] = (array, rowShape);
        }
        var total = rows ?? 0;
        if (_labels is not null && _labels.Length != total)
            throw new InvalidInputDataException($"There are {_labels.Length} labels for {total} samples.", labelsPath ?? path,
                advice: "give one label per sample");
        (_start, Count) = slice.Apply(total, path);
    }

    public override string Description => Path.GetFileName(_path);

    public override int Count { get; }

    public override bool HasLabels => _labels is not null;

    protected override (IReadOnlyDictionary<string, TensorData> Inputs, int? Label) ReadSample(int index)
    {
        var row = _start + index;
        var tensors = _arrays.ToDictionary(kv => kv.Key, kv => TensorStacking.Row(kv.Value.Array, row, (long[])kv.Value.RowShape.Clone()), StringComparer.Ordinal);
        return (tensors, _labels?[row]);
    }

    private static Dictionary<string, TensorData> ReadArrays(string path)
    {
        if (!File.Exists(path))
            throw new InvalidInputDataException("The data file does not exist.", path, advice: "check the --data path");
        try
        {
            if (!path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase))
            {
                using var stream = File.OpenRead(path);
                return new Dictionary<string, TensorData>(StringComparer.Ordinal) { [Path.GetFileNameWithoutExtension(path)] = NpyArray.Read(stream, path) };
            }
            using var zip = ZipFile.OpenRead(path);
            var arrays = new Dictionary<string, TensorData>(StringComparer.Ordinal);
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)))
            {
                using var stream = entry.Open();
                arrays[entry.FullName[..^4]] = NpyArray.Read(stream, $"{path}:{entry.FullName}");
            }
            return arrays;
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputDataException($"Not a readable .npz (zip) archive: {e.Message}", path, inner: e);
        }
        catch (IOException e)
        {
            throw new InvalidInputDataException($"Cannot read the file: {e.Message}", path, inner: e);
        }
    }

    // The number of samples in an array and the shape of one of them, or null when it cannot feed the input.
    private static (int Rows, long[] RowShape)? Rows(ValueDescriptor input, TensorData array)
    {
        if (input.Shape.Length > 0 && array.Shape.Length == input.Shape.Length - 1 && SampleShape(input, array.ElementCount) is { } single)
            return (1, single);
        if (array.Shape.Length == 0 || input.Shape.Length == 0) return null;

        var rows = checked((int)array.Shape[0]);
        var rowElements = rows == 0 ? 0 : array.ElementCount / rows;
        if (array.Shape.Length == input.Shape.Length && input.Shape[0] is null or 1)
        {
            var fits = true;
            for (var d = 1; d < array.Shape.Length; d++) fits &= input.Shape[d] is null || input.Shape[d] == array.Shape[d];
            if (fits) return (rows, [1, .. array.Shape[1..]]);
        }
        return SampleShape(input, rowElements) is { } shape ? (rows, shape) : null;
    }
}
