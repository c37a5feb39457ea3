using OnnxLowRank.Core.Execution;
using DataType = OnnxLowRank.Onnx.Protos.TensorProto.Types.DataType;

namespace OnnxLowRank.Core.Data;

/// <summary>
/// Images from an IDX file (N x rows x cols; further dimensions are taken in file order) fed to a model's single
/// floating-point input, each image reshaped to that input's shape with batch 1, pixels normalised
/// by a <see cref="PixelNormalization"/>. Labels, when given, come from an IDX labels file.
/// </summary>
public sealed class IdxImageSource : SampleDataSource
{
    private readonly IdxFile _images;
    private readonly int[]? _labels;
    private readonly PixelNormalization _normalization;
    private readonly ValueDescriptor _input;
    private readonly long[] _sampleShape;
    private readonly int _imageSize;
    private readonly int _start;

    public IdxImageSource(IReadOnlyList<ValueDescriptor> inputs, string imagesPath, string? labelsPath, PixelNormalization normalization, DataSlice slice)
        : base(inputs)
    {
        if (inputs.Count != 1)
            throw new InvalidInputDataException($"IDX images feed a model with one input; this one has {inputs.Count}.", imagesPath,
                advice: "give the inputs as an .npz file or a folder of .pb tensors");
        _input = inputs[0];
        if (_input.ElementType is not (DataType.Float or DataType.Double or DataType.Float16))
            throw new InvalidInputDataException($"IDX images need a floating-point input, but it takes {_input.ElementType}.", imagesPath, _input.Name);

        _images = IdxFile.Read(imagesPath);
        if (_images.Dimensions.Length < 2)
            throw new InvalidInputDataException($"An images file has at least two dimensions, this one has {_images.Dimensions.Length}.", imagesPath,
                advice: "give the images-idx3 file, not the labels");
        _imageSize = _images.Dimensions.Skip(1).Aggregate(1, (a, d) => checked(a * d));
        _sampleShape = SampleShape(_input, _imageSize)
            ?? throw new InvalidInputDataException(
                $"Images of {string.Join("x", _images.Dimensions.Skip(1))} pixels do not fit the input shape {DimensionSizes.Describe(_input)}.", imagesPath, _input.Name);

        var total = _images.Dimensions[0];
        if (labelsPath is not null)
        {
            _labels = LabelFile.Read(labelsPath);
            if (_labels.Length != total)
                throw new InvalidInputDataException($"The labels file holds {_labels.Length} labels but the images file {total} images.", labelsPath,
                    advice: "give the labels file that belongs to the images");
        }
        _normalization = normalization;
        (_start, Count) = slice.Apply(total, imagesPath);
    }

    public override string Description => Path.GetFileName(_images.Path);

    public override int Count { get; }

    public override bool HasLabels => _labels is not null;

    protected override (IReadOnlyDictionary<string, TensorData> Inputs, int? Label) ReadSample(int index)
    {
        var image = _start + index;
        var pixels = new float[_imageSize];
        var offset = image * _imageSize;
        for (var i = 0; i < pixels.Length; i++) pixels[i] = _normalization.Apply(_images.Values[offset + i]);
        var tensor = TensorConversion.ConvertTo(TensorData.FromFloats((long[])_sampleShape.Clone(), pixels), _input.ElementType);
        return (new Dictionary<string, TensorData> { [_input.Name] = tensor }, _labels?[image]);
    }
}
