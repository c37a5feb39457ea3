namespace OnnxLowRank.Bench;

/// <summary>
/// The real-model corpus of the bench: the committed torch exports (models/corpus/), PaddleOCR v4's detector and
/// recognizer and its direction classifier, all-MiniLM-L6-v2 and the torchvision exports. Each goes through analyze,
/// compress --keep-params 0.7 and an ONNX Runtime load (<see cref="CorpusRun"/>); docs/reliability.md has the table.
/// </summary>
internal static class CorpusModels
{
    public static IReadOnlyList<BenchModel> Of(Repository repository)
    {
        BenchModel Model(string name, string path, ModelOrigin origin, params string[] dimensions) =>
            new(name, path, origin, [], null, null, [], dimensions);

        var corpus = repository.PathOf("models", "corpus");
        var ocr = Path.Combine(repository.ModelsCache, "paddleocr");
        return
        [
            Model("streaming_gru", Path.Combine(corpus, "streaming_gru", "model.onnx"), ModelOrigin.Corpus),
            // Reflect padding cannot run on 1 frame, the size an unsized dimension runs at: a parameter budget needs no run,
            // so it compresses without --dim, and its output is loaded but not run (the outcome says so).
            Model("reflect_pad_tcn", Path.Combine(corpus, "reflect_pad_tcn", "model.onnx"), ModelOrigin.Corpus),
            Model("attention_block", Path.Combine(corpus, "attention_block", "model.onnx"), ModelOrigin.Corpus),
            // Height and width are symbolic; the sizes of the images tools/render_text_images.py draws.
            Model("paddleocr-det", Path.Combine(ocr, "det.onnx"), ModelOrigin.PaddleOcr, "p2o.DynamicDimension.1=320", "p2o.DynamicDimension.2=320"),
            Model("paddleocr-rec", Path.Combine(ocr, "rec.onnx"), ModelOrigin.PaddleOcr, "p2o.DynamicDimension.1=320"),
            Model("paddleocr-cls", Path.Combine(ocr, "cls.onnx"), ModelOrigin.PaddleOcr, "p2o.DynamicDimension.1=48", "p2o.DynamicDimension.2=192"),
            Model("all-MiniLM-L6-v2", Path.Combine(repository.ModelsCache, "minilm", "model.onnx"), ModelOrigin.MiniLm),
            .. new[] { "resnet18", "resnet50", "mobilenet_v2", "vgg16" }.Select(name =>
                Model(name, Path.Combine(repository.ModelsCache, name + ".onnx"), ModelOrigin.Torchvision)),
        ];
    }
}
