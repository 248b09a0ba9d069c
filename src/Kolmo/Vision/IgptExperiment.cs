using System.Diagnostics;
using System.Globalization;
using System.IO.Hashing;
using Kolmo.Learning;

namespace Kolmo.Vision;

/// <summary>
/// The iGPT experiment (Chen et al. 2020, "Generative Pretraining from Pixels") on small greyscale images:
/// tokenise; train every run of <see cref="IgptOptions.Runs"/> (AR for each size, masked at equal compute for the
/// compared sizes and seeds), saving and measuring the model at each checkpoint — test bits/dim and linear probes on
/// every layer's mean-pooled and grid-pooled features over the whole probe-training split; the raw-pixel baseline
/// through the same probe; Spearman ρ(−bits/dim, probe accuracy) with a bootstrap interval; AR vs masked over seeds;
/// and, with the final AR model, range-coded test images, completions of half images and samples from scratch.
/// <para>With an <see cref="IgptCheckpointStore"/> every model, training state and measurement is saved as it is
/// made, and a later <see cref="Run"/> on the same store continues where the last one stopped with the same results
/// as an uninterrupted run: batches and masks are functions of (seed, step), not of a generator's history.</para>
/// </summary>
public sealed class IgptExperiment
{
    private readonly Func<ModelSize, PixelObjective, int, IgptOptions, ITokenTransformer> _createModel;

    /// <summary>
    /// Creates an experiment whose models come from <paramref name="createModel"/>(size, objective, context T, options)
    /// (on the neural engine: <see cref="IgptModels.Create"/>). The options passed carry the run's own seed in
    /// <see cref="IgptOptions.Seed"/>; the model owns its optimiser and learning-rate schedule.
    /// </summary>
    public IgptExperiment(Func<ModelSize, PixelObjective, int, IgptOptions, ITokenTransformer> createModel)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        _createModel = createModel;
    }

    /// <summary>Receives progress (stage, run, epoch, loss, work done and total).</summary>
    public Action<IgptProgress>? Progress { get; set; }

    /// <summary>How often training state is saved between checkpoints (wall time). Default 1 minute.</summary>
    public TimeSpan SaveInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Runs (or resumes) the experiment on labelled <paramref name="train"/> and <paramref name="test"/> sets.
    /// </summary>
    /// <param name="train">Training images: the models train on all of them; the probes on the first <see cref="IgptOptions.ProbeTrainImages"/>.</param>
    /// <param name="test">Test images.</param>
    /// <param name="options">Settings.</param>
    /// <param name="dataDescription">Lines describing the data for the report.</param>
    /// <param name="store">Checkpoint folder (null: nothing is saved). A folder holding another experiment is refused.</param>
    /// <param name="notes">Stored in the manifest of a new checkpoint folder (e.g. the command line).</param>
    /// <param name="cancellationToken">Stops as soon as possible (abandoning a feature extraction under way); the state is saved and a later run on the store resumes.</param>
    /// <param name="stopAfter">Stops at the first safe point after this much wall time — after a training step or a finished layer probe, never
    /// in the middle of work that would be lost — saving the state (for runs in time-limited chunks).</param>
    /// <exception cref="ArgumentException">A set is unlabelled or empty, the sizes differ, the options are invalid, or the store holds another experiment.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (the state is saved).</exception>
    public IgptResults Run(ImageSet train, ImageSet test, IgptOptions options, IReadOnlyDictionary<string, string>? dataDescription = null,
        IgptCheckpointStore? store = null, IReadOnlyDictionary<string, string>? notes = null, CancellationToken cancellationToken = default,
        TimeSpan? stopAfter = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Labels is null || test.Labels is null)
        {
            throw new ArgumentException("train and test sets need labels.", nameof(train));
        }
        if (train.Count < 2 || test.Count < 1)
        {
            throw new ArgumentException("need at least two training images and one test image.", nameof(train));
        }
        if (train.Rows != test.Rows || train.Cols != test.Cols)
        {
            throw new ArgumentException($"train images are {train.Rows}x{train.Cols} but test images {test.Rows}x{test.Cols}.", nameof(test));
        }
        options.Validate();
        if (train.Rows % options.Downsample != 0 || train.Cols % options.Downsample != 0)
        {
            throw new ArgumentException($"{train.Rows}x{train.Cols} images cannot be downsampled by {options.Downsample}.", nameof(options));
        }
        if (options.TestImages > 0 && options.TestImages < test.Count)
        {
            test = test.Slice(0, options.TestImages);
        }
        var session = new Session(this, train, test, options, dataDescription, store, cancellationToken, stopAfter);
        return session.Execute(notes);
    }

    /// <summary>The state of one call of <see cref="Run"/>.</summary>
    private sealed class Session
    {
        private readonly IgptExperiment _owner;
        private readonly ImageSet _train, _test;
        private readonly IgptOptions _o;
        private readonly IReadOnlyDictionary<string, string>? _description;
        private readonly IgptCheckpointStore? _store;
        private readonly CancellationToken _ct;
        private readonly TimeSpan? _stopAfter;
        private readonly Palette _palette;
        private readonly PixelTokens _trainTokens, _testTokens;
        private readonly int _probeTrain, _classes, _t;
        private readonly int[] _probeOrder;
        private readonly byte[] _probeLabels;
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly TimeSpan _cpu0 = ProcessCpu();
        private readonly IgptTotals _prior;
        private double _workDone, _workTotal;
        private IReadOnlyList<string> _builds = [Build];
        private DateTime _lastSave = DateTime.UtcNow;

        public Session(IgptExperiment owner, ImageSet train, ImageSet test, IgptOptions options, IReadOnlyDictionary<string, string>? description,
            IgptCheckpointStore? store, CancellationToken ct, TimeSpan? stopAfter)
        {
            _owner = owner;
            _train = train;
            _test = test;
            _o = options;
            _description = description;
            _store = store;
            _ct = ct;
            _stopAfter = stopAfter;
            _palette = PixelTokens.FitPalette(train, options.Downsample, options.Palette, options.PaletteSize);
            _trainTokens = new PixelTokens(train, options.Downsample, _palette);
            _testTokens = new PixelTokens(test, options.Downsample, _palette);
            _t = _trainTokens.Length;
            _probeTrain = options.ProbeTrainImages > 0 ? Math.Min(options.ProbeTrainImages, train.Count) : train.Count;
            _classes = Math.Max(2, Math.Max(train.Labels!.Max(), test.Labels!.Max()) + 1);
            _probeOrder = LinearProbe.HoldOutOrder(_probeTrain, options.Probe.ValidationFraction);
            _probeLabels = _probeOrder.Select(i => train.Labels![i]).ToArray();
            _prior = store?.ReadTotals() ?? new IgptTotals(0, 0);
        }

        /// <summary>True at a safe point when the run should stop: cancelled, or past the stop time.</summary>
        private bool MustStop => _ct.IsCancellationRequested || (_stopAfter is TimeSpan t && _wall.Elapsed >= t);

        private double CpuSeconds => _prior.CpuSeconds + (ProcessCpu() - _cpu0).TotalSeconds;

        private double WallSeconds => _prior.WallSeconds + _wall.Elapsed.TotalSeconds;

        public IgptResults Execute(IReadOnlyDictionary<string, string>? notes)
        {
            OpenStore(notes);
            var runs = _o.Runs();
            PlanWork(runs);
            var raw = _store?.ReadRawProbe();
            if (raw is null)
            {
                Report("raw-pixel probe", null, 0, 0, null);
                raw = RawPixelProbe();
                _store?.WriteRawProbe(raw);
            }
            _workDone += RawWork;
            SaveTotals();
            if (MustStop)
            {
                throw new OperationCanceledException();
            }

            var measurements = new List<StoredMeasurement>();
            var curves = new List<IgptTrainingCurve>();
            ITokenTransformer? finalModel = null;
            var finalSpec = runs.First(r => r.Objective == Objective.Autoregressive && r.Size == _o.Sizes[^1] && r.SeedIndex == 0);
            foreach (var run in runs)
            {
                var (model, stored, curve) = TrainRun(run);
                measurements.AddRange(stored);
                curves.Add(curve);
                if (run == finalSpec)
                {
                    finalModel = model;
                }
            }
            var arObjective = new PixelObjective(Objective.Autoregressive, _palette.Size);
            var finalMeasured = measurements.Where(m => m.Measurement.Objective == "ar" && m.Measurement.Size == finalSpec.Size.Name && m.Measurement.SeedIndex == 0)
                .OrderBy(m => m.Measurement.Step).Last();
            var compression = Final("compression", IgptJson.Default.IgptCompression, () => _o.CompressImages > 0 ? Compress(finalModel!, arObjective) : null);
            var completions = Final("completions", IgptJson.Default.IgptCompletions, () => _o.CompletionImages > 0 && _o.CompletionSamples > 0 ? Complete(finalModel!, arObjective, finalMeasured) : null);
            var samples = Final("samples", IgptJson.Default.IgptSamples, () => _o.SampleImages > 0 ? Sample(finalModel!, arObjective) : null);
            SaveTotals();

            var all = measurements.Select(m => m.Measurement).ToArray();
            var data = new Dictionary<string, string>(_description ?? new Dictionary<string, string>())
            {
                ["trainImages"] = _train.Count.ToString(CultureInfo.InvariantCulture),
                ["testImages"] = _test.Count.ToString(CultureInfo.InvariantCulture),
                ["probeTrainImages"] = $"{_probeTrain} ({_probeTrain - (int)Math.Ceiling(_probeTrain * _o.Probe.ValidationFraction)} fit + {(int)Math.Ceiling(_probeTrain * _o.Probe.ValidationFraction)} validation, evenly spaced)",
                ["resolution"] = $"{_trainTokens.Rows}x{_trainTokens.Cols} (from {_train.Rows}x{_train.Cols})",
                ["palette"] = $"{_o.Palette} {_palette.Size} levels",
            };
            return new IgptResults
            {
                Data = data,
                PaletteLevels = _palette.Levels.ToArray().Select(x => (int)x).ToArray(),
                RawPixels = raw,
                Measurements = all,
                FinalSize = finalSpec.Size.Name,
                Curve = Curve(measurements),
                Comparisons = Compare(all),
                TrainingCurves = curves,
                Compression = compression,
                Completions = completions,
                Samples = samples,
                Options = _o,
                Builds = _builds,
                CpuSeconds = CpuSeconds,
                WallSeconds = WallSeconds,
            };
        }

        private void OpenStore(IReadOnlyDictionary<string, string>? notes)
        {
            if (_store is null)
            {
                return;
            }
            string fingerprint = Fingerprint();
            var manifest = _store.ReadManifest();
            if (manifest is null)
            {
                _store.Prepare();
                _builds = [Build];
                _store.WriteManifest(new IgptManifest(1, _o, fingerprint, notes ?? new Dictionary<string, string>(), _builds));
                return;
            }
            if (IgptCheckpointStore.SerializeOptions(manifest.Options) != IgptCheckpointStore.SerializeOptions(_o))
            {
                throw new ArgumentException($"{_store.Directory} holds an experiment with other settings; resume it with its own settings or use another folder.");
            }
            if (manifest.DataFingerprint != fingerprint)
            {
                throw new ArgumentException($"{_store.Directory} holds an experiment on other data (fingerprint {manifest.DataFingerprint}, these data {fingerprint}).");
            }
            _store.Prepare();
            _builds = manifest.Builds.Contains(Build) ? manifest.Builds : [.. manifest.Builds, Build];
            if (_builds.Count != manifest.Builds.Count)
            {
                _store.WriteManifest(manifest with { Builds = _builds });
            }
        }

        /// <summary>This library's informational version (version + commit).</summary>
        private static string Build => typeof(IgptExperiment).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

        private string Fingerprint()
        {
            var h = new XxHash64();
            h.Append(_palette.Levels);
            h.Append(_trainTokens.Tokens);
            h.Append(_train.Labels!);
            h.Append(_testTokens.Tokens);
            h.Append(_test.Labels!);
            return h.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture);
        }

        private T? Final<T>(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info, Func<T?> compute) where T : class
        {
            var stored = _store?.ReadFinal(name, info);
            if (stored is not null)
            {
                return stored;
            }
            Report(name, null, 0, 0, null);
            var value = compute();
            if (value is not null)
            {
                _store?.WriteFinal(name, value, info);
            }
            return value;
        }

        // ---------------------------------------------------------------- work estimates (for progress and ETA)

        // probe flops run about 4× slower than the transformer's (small matrices, an exp per class and row)
        private double RawWork => 4 * 4.0 * _probeTrain * _t * _classes * 400;

        private double StepWork(ModelSize s) => 3.0 * _o.Batch * _t * s.ForwardFlopsPerToken(_t, _palette.Size + 1);

        private double MeasureWork(ModelSize s)
        {
            int images = _probeTrain + _test.Count;
            double forward = (double)images * _t * s.ForwardFlopsPerToken(_t, _palette.Size + 1);
            int grid = _o.ProbeGrid > 1 ? _o.ProbeGrid * _o.ProbeGrid : 0;
            double probes = 4 * (s.Layers + 1) * 4.0 * _probeTrain * s.Width * (1 + grid) * _classes * 400;
            return forward + probes;
        }

        private void PlanWork(IReadOnlyList<IgptRunSpec> runs)
        {
            _workTotal = RawWork;
            foreach (var run in runs)
            {
                _workTotal += _o.Steps * StepWork(run.Size) + _o.CheckpointSteps(run).Count * MeasureWork(run.Size);
            }
            _workTotal *= 1.02;   // final coding, completions, samples
        }

        private void Report(string stage, IgptRunSpec? run, double epoch, double epochs, double? loss) =>
            _owner.Progress?.Invoke(new IgptProgress(stage, run?.Name, epoch, epochs, loss, Math.Min(_workDone, _workTotal), _workTotal));

        private void SaveTotals() => _store?.WriteTotals(new IgptTotals(CpuSeconds, WallSeconds));

        // ---------------------------------------------------------------- training

        /// <summary>The images of each training step: a fresh seeded shuffle per epoch, read in order (a function of the step alone).</summary>
        private sealed class BatchOrder(int count, int batch, ulong seed)
        {
            private int _epoch = -1;
            private int[] _order = [];

            public void Fill(int step, Span<int> images)
            {
                for (int i = 0; i < batch; i++)
                {
                    long g = (long)step * batch + i;
                    int epoch = (int)(g / count);
                    if (epoch != _epoch)
                    {
                        _order = Enumerable.Range(0, count).ToArray();
                        var rng = new Xoshiro256(seed ^ 0x5348554646UL, (ulong)epoch);
                        for (int j = count - 1; j > 0; j--)
                        {
                            int r = rng.Next(j + 1);
                            (_order[j], _order[r]) = (_order[r], _order[j]);
                        }
                        _epoch = epoch;
                    }
                    images[i] = _order[(int)(g % count)];
                }
            }
        }

        private (ITokenTransformer Model, List<StoredMeasurement> Measurements, IgptTrainingCurve Curve) TrainRun(IgptRunSpec run)
        {
            ulong seed = _o.Seed + (ulong)run.SeedIndex;
            var objective = new PixelObjective(run.Objective, _palette.Size);
            var model = _owner._createModel(run.Size, objective, _t, _o with { Seed = seed });
            var state = _store?.ReadState(run, model) ?? new IgptRunState();
            int startStep = state.Step;
            var checkpoints = _o.CheckpointSteps(run);
            double stepWork = StepWork(run.Size), measureWork = MeasureWork(run.Size);
            _workDone += state.Step * stepWork + checkpoints.Count(c => c < state.Step) * measureWork;
            int b = _o.Batch, window = Math.Max(1, _o.Steps / 200);
            double epochs = (double)_o.Steps * b / _train.Count;
            var order = new BatchOrder(_train.Count, b, seed);
            var images = new int[b];
            var inputs = new int[b * _t];
            var targets = new int[b * _t];
            var results = new List<StoredMeasurement>();
            for (int step = state.Step; ; step++)
            {
                if (checkpoints.Contains(step))
                {
                    var m = _store?.ReadMeasurement(run, step);
                    if (m is null)
                    {
                        if (_store is not null)
                        {
                            _store.WriteState(run, state, model);
                            _store.WriteWeights(run, step, model);
                            _lastSave = DateTime.UtcNow;
                        }
                        m = Measure(model, objective, run, step, state);
                        _store?.WriteMeasurement(run, step, m);
                        SaveTotals();
                    }
                    _workDone += measureWork;
                    results.Add(m);
                    state.IntervalLossSum = 0;
                    state.IntervalLossCount = 0;
                }
                if (step == _o.Steps)
                {
                    break;
                }
                if (MustStop)
                {
                    _store?.WriteState(run, state, model);
                    SaveTotals();
                    throw new OperationCanceledException();
                }
                var cpu = ProcessCpu();
                order.Fill(step, images);
                var rng = new Xoshiro256(seed ^ 0x4D41534BUL, (ulong)step);
                objective.BuildBatch(_trainTokens, images, inputs, targets, ref rng);
                double bits = model.TrainStep(inputs, targets, b) / Math.Log(2);
                state.Step = step + 1;
                state.IntervalLossSum += bits;
                state.IntervalLossCount++;
                state.WindowLossSum += bits;
                state.WindowLossCount++;
                if (state.WindowLossCount == window || state.Step == _o.Steps)
                {
                    state.CurveSteps.Add(state.Step);
                    state.CurveBits.Add(state.WindowLossSum / state.WindowLossCount);
                    state.WindowLossSum = 0;
                    state.WindowLossCount = 0;
                }
                state.TrainCpuSeconds += (ProcessCpu() - cpu).TotalSeconds;
                _workDone += stepWork;
                Report("training", run, (double)state.Step * b / _train.Count, epochs, state.CurveBits.Count > 0 ? state.CurveBits[^1] : bits);
                if (_store is not null && DateTime.UtcNow - _lastSave > _owner.SaveInterval)
                {
                    _store.WriteState(run, state, model);
                    SaveTotals();
                    _lastSave = DateTime.UtcNow;
                }
            }
            // measurements of checkpoints passed in earlier sessions
            foreach (int c in checkpoints.Where(c => c < startStep))
            {
                results.Add(_store!.ReadMeasurement(run, c) ?? throw new InvalidDataException($"{_store.Directory}: measurement of {run.Name} at step {c} is missing"));
            }
            results.Sort((x, y) => x.Measurement.Step.CompareTo(y.Measurement.Step));
            return (model, results, new IgptTrainingCurve(run.Name, state.CurveSteps.ToArray(), state.CurveBits.ToArray()));
        }

        // ---------------------------------------------------------------- measurement

        /// <summary>Pooled features of every layer for a list of images, plus per-image bits.</summary>
        private sealed class Features(FeatureMatrix[] mean, FeatureMatrix[]? grid, float[] imageBits, double topBits, double bottomBits) : IDisposable
        {
            public FeatureMatrix[] Mean { get; } = mean;

            public FeatureMatrix[]? Grid { get; } = grid;

            public float[] ImageBits { get; } = imageBits;

            public double TopBits { get; } = topBits;

            public double BottomBits { get; } = bottomBits;

            public void Dispose()
            {
                foreach (var m in Mean.Concat(Grid ?? []))
                {
                    m.Dispose();
                }
            }
        }

        private StoredMeasurement Measure(ITokenTransformer model, PixelObjective objective, IgptRunSpec run, int step, IgptRunState state)
        {
            var cpu = ProcessCpu();
            double epochs = (double)_o.Steps * _o.Batch / _train.Count;
            double epoch = (double)step * _o.Batch / _train.Count;
            Report("features", run, epoch, epochs, null);
            using var test = Extract(model, objective, _testTokens, Enumerable.Range(0, _test.Count).ToArray(), true, run.SeedIndex);
            _ct.ThrowIfCancellationRequested();
            using var train = Extract(model, objective, _trainTokens, _probeOrder, false, run.SeedIndex);
            _ct.ThrowIfCancellationRequested();
            var partial = _store?.ReadPartial(run, step) ?? new PartialProbes([]);
            var (mean, meanCorrect) = ProbeLayers("mean", train.Mean, test.Mean, run, step, partial, epoch, epochs);
            PooledProbe? grid = null;
            string? gridCorrect = null;
            if (train.Grid is not null)
            {
                (grid, gridCorrect) = ProbeLayers($"grid {_o.ProbeGrid}x{_o.ProbeGrid}", train.Grid, test.Grid!, run, step, partial, epoch, epochs);
            }
            bool ar = objective.Kind == Objective.Autoregressive;
            double testBits = test.ImageBits.Average(x => (double)x);
            var measurement = new IgptMeasurement(run.ObjectiveName, run.Size.Name, run.SeedIndex, model.ParameterCount, step, epoch,
                state.IntervalLossCount > 0 ? state.IntervalLossSum / state.IntervalLossCount : null,
                testBits, ar ? test.BottomBits : null, mean, grid, state.TrainCpuSeconds, (ProcessCpu() - cpu).TotalSeconds);
            return new StoredMeasurement(measurement, test.ImageBits, meanCorrect, gridCorrect);
        }

        private (PooledProbe Probe, string Correct) ProbeLayers(string pooling, FeatureMatrix[] train, FeatureMatrix[] test, IgptRunSpec run, int step,
            PartialProbes partial, double epoch, double epochs)
        {
            var layers = new List<PartialLayer>();
            for (int l = 0; l < train.Length; l++)
            {
                string key = $"{pooling}/{l}";
                if (!partial.Layers.TryGetValue(key, out var done))
                {
                    Report($"probe {pooling}, layer {l}", run, epoch, epochs, null);
                    var r = LinearProbe.Run(train[l], _probeLabels, test[l], _test.Labels!, _classes, _o.Probe);
                    done = new PartialLayer(ToLayerProbe(l, r), Bits(r.TestCorrect));
                    partial.Layers[key] = done;
                    _store?.WritePartial(run, step, partial);
                    if (MustStop)
                    {
                        SaveTotals();
                        throw new OperationCanceledException();
                    }
                }
                layers.Add(done);
            }
            int best = 0;
            for (int l = 1; l < layers.Count; l++)
            {
                var a = layers[l].Probe;
                var c = layers[best].Probe;
                if (a.ValidationAccuracy > c.ValidationAccuracy || (a.ValidationAccuracy == c.ValidationAccuracy && a.ValidationLogLoss < c.ValidationLogLoss))
                {
                    best = l;
                }
            }
            return (new PooledProbe(pooling, train[0].Columns, best, layers.Select(x => x.Probe).ToArray()), layers[best].Correct);
        }

        private static LayerProbe ToLayerProbe(int layer, ProbeResult r) =>
            new(layer, r.TestAccuracy, r.ValidationAccuracy, r.ValidationLogLoss, r.L2, r.Path.Count, r.Iterations,
                Math.Max(r.RefitIterations, r.Path.Max(p => p.Iterations)), r.Converged, r.MaxGradient);

        private static string Bits(bool[] flags) => string.Create(flags.Length, flags, (span, f) =>
        {
            for (int i = 0; i < f.Length; i++)
            {
                span[i] = f[i] ? '1' : '0';
            }
        });

        /// <summary>
        /// One forward pass per batch of <paramref name="images"/> (clean inputs: AR with the start token prepended,
        /// masked with nothing masked, as iGPT probes BERT models); each layer's layer-normalised activations are
        /// averaged over all positions (mean) and over each cell of a G×G grid of image regions (grid, cells
        /// concatenated). AR position p reads pixel p − 1, so it is pooled into that pixel's cell. With
        /// <paramref name="withBits"/>, per-image bits: AR over every pixel (and the top/bottom halves), masked over
        /// a fixed 15% of positions per image (a second forward with those positions masked).
        /// </summary>
        private Features Extract(ITokenTransformer model, PixelObjective objective, PixelTokens data, int[] images, bool withBits, int seedIndex)
        {
            int layers = model.Layers + 1, c = model.Width, t = _t, n = images.Length;
            int g = _o.ProbeGrid > 1 ? _o.ProbeGrid : 0;
            int rows = data.Rows, cols = data.Cols;
            int matrices = 2 * layers * (g > 0 ? 2 : 1);
            long limit = _o.FeatureMemory / Math.Max(1, matrices);
            string? spill = _store?.SpillDirectory;
            var mean = new FeatureMatrix[layers];
            var grid = g > 0 ? new FeatureMatrix[layers] : null;
            for (int l = 0; l < layers; l++)
            {
                mean[l] = FeatureMatrix.Create(n, c, limit, spill);
                if (grid is not null)
                {
                    grid[l] = FeatureMatrix.Create(n, g * g * c, limit, spill);
                }
            }
            bool ar = objective.Kind == Objective.Autoregressive;
            var cell = new int[t];
            var cellSize = new int[Math.Max(1, g * g)];
            for (int p = 0; p < t; p++)
            {
                int pixel = ar ? Math.Max(0, p - 1) : p;
                int y = pixel / cols, x = pixel % cols;
                cell[p] = g > 0 ? y * g / rows * g + x * g / cols : 0;
                cellSize[cell[p]]++;
            }
            int half = rows / 2 * cols;
            var imageBits = new float[withBits ? n : 0];
            double top = 0, bottom = 0;
            int eb = _o.EvalBatch;
            var inputs = new int[eb * t];
            var targets = new int[eb * t];
            var batchImages = new int[eb];
            for (int start = 0; start < n; start += eb)
            {
                int b = Math.Min(eb, n - start);
                for (int i = 0; i < b; i++)
                {
                    batchImages[i] = images[start + i];
                }
                var inp = inputs.AsSpan(0, b * t);
                var tgt = targets.AsSpan(0, b * t);
                if (ar)
                {
                    var none = new Xoshiro256(0);
                    objective.BuildBatch(data, batchImages.AsSpan(0, b), inp, tgt, ref none);
                }
                else
                {
                    for (int i = 0; i < b; i++)
                    {
                        for (int p = 0; p < t; p++)
                        {
                            inp[i * t + p] = data.Tokens[(long)batchImages[i] * t + p];
                        }
                    }
                }
                model.Forward(inp, b);
                if (withBits && ar)
                {
                    for (int i = 0; i < b; i++)
                    {
                        var (tb, _) = objective.Bits(model, tgt, i, 0, half);
                        var (bb, _) = objective.Bits(model, tgt, i, half, t);
                        top += tb;
                        bottom += bb;
                        imageBits[start + i] = (float)((tb + bb) / t);
                    }
                }
                var acts = model.LayerActivations(b);   // [b, L+1, T, C]
                for (int i = 0; i < b; i++)
                {
                    for (int l = 0; l < layers; l++)
                    {
                        var m = mean[l].Row(start + i);
                        var gr = grid is null ? default : grid[l].Row(start + i);
                        for (int p = 0; p < t; p++)
                        {
                            var x = acts.AsSpan((((i * layers) + l) * t + p) * c, c);
                            for (int j = 0; j < c; j++)
                            {
                                m[j] += x[j];
                            }
                            if (grid is not null)
                            {
                                var cellRow = gr.Slice(cell[p] * c, c);
                                for (int j = 0; j < c; j++)
                                {
                                    cellRow[j] += x[j];
                                }
                            }
                        }
                        for (int j = 0; j < c; j++)
                        {
                            m[j] /= t;
                        }
                        if (grid is not null)
                        {
                            for (int k = 0; k < g * g; k++)
                            {
                                float inv = cellSize[k] > 0 ? 1f / cellSize[k] : 0f;
                                var cellRow = gr.Slice(k * c, c);
                                for (int j = 0; j < c; j++)
                                {
                                    cellRow[j] *= inv;
                                }
                            }
                        }
                    }
                }
                if (withBits && !ar)
                {
                    // masked "bits/dim": the loss on a fixed 15% of each test image's positions, given the rest
                    for (int i = 0; i < b; i++)
                    {
                        var rng = new Xoshiro256(_o.Seed ^ 0x54455354UL, (ulong)batchImages[i]);
                        objective.BuildBatch(data, batchImages.AsSpan(i, 1), inp.Slice(i * t, t), tgt.Slice(i * t, t), ref rng);
                    }
                    model.Forward(inp, b);
                    for (int i = 0; i < b; i++)
                    {
                        var (bits, count) = objective.Bits(model, tgt, i);
                        imageBits[start + i] = (float)(bits / Math.Max(1, count));
                    }
                }
                if (_ct.IsCancellationRequested)
                {
                    break;
                }
            }
            double pixels = (double)n * t;
            return new Features(mean, grid, imageBits, top / (n * (double)half), bottom / (pixels - (double)n * half));
        }

        private PooledProbe RawPixelProbe()
        {
            var small = _train.Downsample(_o.Downsample);
            var testSmall = _test.Downsample(_o.Downsample);
            int d = small.PixelsPerImage;
            using var train = FeatureMatrix.Create(_probeTrain, d, _o.FeatureMemory / 2, _store?.SpillDirectory);
            for (int i = 0; i < _probeTrain; i++)
            {
                var src = small.Image(_probeOrder[i]);
                var dst = train.Row(i);
                for (int j = 0; j < d; j++)
                {
                    dst[j] = src[j] / 255f;
                }
            }
            using var test = FeatureMatrix.FromArray(testSmall.Pixels.Select(p => p / 255f).ToArray(), d);
            var r = LinearProbe.Run(train, _probeLabels, test, _test.Labels!, _classes, _o.Probe);
            return new PooledProbe("pixels", d, 0, [ToLayerProbe(0, r)]);
        }

        // ---------------------------------------------------------------- summaries

        private IReadOnlyList<SpearmanSummary> Curve(List<StoredMeasurement> all)
        {
            var points = all.Where(m => m.Measurement.Objective == "ar" && m.Measurement.SeedIndex == 0 && m.Measurement.Step > 0).ToArray();
            var result = new List<SpearmanSummary>();
            if (points.Length == 0)
            {
                return result;
            }
            var x = points.Select(m => -m.Measurement.TestBits).ToArray();
            var xs = points.Select(m => m.ImageBits.Select(v => -(double)v).ToArray()).ToArray();
            foreach (bool gridded in new[] { false, true })
            {
                if (gridded && points.Any(m => m.GridCorrect is null))
                {
                    continue;
                }
                var y = points.Select(m => (gridded ? m.Measurement.Grid! : m.Measurement.Mean).TestAccuracy).ToArray();
                var ys = points.Select(m => (gridded ? m.GridCorrect! : m.MeanCorrect).Select(ch => ch == '1' ? 1.0 : 0.0).ToArray()).ToArray();
                double rho = points.Length >= 2 ? RankCorrelation.Spearman(x, y) : double.NaN;
                var (lo, hi) = RankCorrelation.BootstrapSpearman(xs, ys, 1000, 0.95, _o.Seed);
                result.Add(new SpearmanSummary(gridded ? points[0].Measurement.Grid!.Pooling : "mean", points.Length, rho,
                    double.IsNaN(lo) ? null : lo, double.IsNaN(hi) ? null : hi));
            }
            return result;
        }

        private IReadOnlyList<ObjectiveComparison> Compare(IgptMeasurement[] all)
        {
            var result = new List<ObjectiveComparison>();
            foreach (var name in _o.MaskedSizes)
            {
                IgptMeasurement[] Finals(string objective) => Enumerable.Range(0, _o.Seeds)
                    .Select(s => all.Where(m => m.Objective == objective && m.Size == name && m.SeedIndex == s).MaxBy(m => m.Step)!).ToArray();
                var ar = Finals("ar");
                var masked = Finals("masked");
                bool grid = ar.All(m => m.Grid is not null);
                result.Add(new ObjectiveComparison(name, _o.Steps,
                    MeanSd.Of(ar.Select(m => m.Mean.TestAccuracy).ToArray()),
                    MeanSd.Of(masked.Select(m => m.Mean.TestAccuracy).ToArray()),
                    MeanSd.Of(ar.Zip(masked, (a, m) => a.Mean.TestAccuracy - m.Mean.TestAccuracy).ToArray()),
                    grid ? MeanSd.Of(ar.Select(m => m.Grid!.TestAccuracy).ToArray()) : null,
                    grid ? MeanSd.Of(masked.Select(m => m.Grid!.TestAccuracy).ToArray()) : null,
                    grid ? MeanSd.Of(ar.Zip(masked, (a, m) => a.Grid!.TestAccuracy - m.Grid!.TestAccuracy).ToArray()) : null,
                    ar.Average(m => m.TrainCpuSeconds), masked.Average(m => m.TrainCpuSeconds)));
            }
            return result;
        }

        // ---------------------------------------------------------------- the final model: coding, completions, samples

        private IgptCompression Compress(ITokenTransformer model, PixelObjective objective)
        {
            int n = Math.Min(_o.CompressImages, _test.Count);
            var coder = new PixelCompressor(model, objective);
            var tokens = _testTokens.Tokens.AsSpan(0, n * _t).ToArray();
            var (bytes, modelBits) = coder.Compress(tokens, n);
            var back = coder.Decompress(bytes, n);
            if (!back.AsSpan().SequenceEqual(tokens))
            {
                throw new InvalidOperationException("range-coded pixels did not decode back to the originals.");
            }
            long pixels = (long)n * _t;
            var baselines = PixelBaselines.Measure(tokens, _testTokens.Rows, _testTokens.Cols, _palette.Size);
            return new IgptCompression(n, pixels, modelBits / pixels, bytes.Length * 8.0 / pixels, n, baselines);
        }

        private IgptCompletions Complete(ITokenTransformer model, PixelObjective objective, StoredMeasurement final)
        {
            int n = Math.Min(_o.CompletionImages, _test.Count);
            int given = _testTokens.Rows / 2 * _testTokens.Cols;
            var originals = new List<byte[]>();
            var completions = new List<IReadOnlyList<byte[]>>();
            for (int i = 0; i < n; i++)
            {
                var seq = _testTokens.Sequence(i);
                originals.Add(Levels(seq));
                var list = new List<byte[]>();
                for (int s = 0; s < _o.CompletionSamples; s++)
                {
                    var rng = new Xoshiro256(_o.Seed ^ 0x434F4D50UL, (ulong)(i * 1000 + s));
                    list.Add(Levels(PixelSampler.Complete(model, objective, seq[..given], _t, ref rng)));
                }
                completions.Add(list);
            }
            double bottom = final.Measurement.BottomHalfBits ?? double.NaN;
            double top = (final.Measurement.TestBits * _t - bottom * (_t - given)) / given;
            return new IgptCompletions(_testTokens.Rows, _testTokens.Cols, _testTokens.Rows / 2, originals, completions, bottom, top);
        }

        private IgptSamples Sample(ITokenTransformer model, PixelObjective objective)
        {
            var images = new List<byte[]>();
            for (int i = 0; i < _o.SampleImages; i++)
            {
                var rng = new Xoshiro256(_o.Seed ^ 0x53414D50UL, (ulong)i);
                images.Add(Levels(PixelSampler.Complete(model, objective, [], _t, ref rng)));
            }
            return new IgptSamples(_testTokens.Rows, _testTokens.Cols, images);
        }

        private byte[] Levels(ReadOnlySpan<byte> tokens)
        {
            var r = new byte[tokens.Length];
            for (int i = 0; i < r.Length; i++)
            {
                r[i] = _palette.Decode(tokens[i]);
            }
            return r;
        }
    }

    private static TimeSpan ProcessCpu()
    {
        using var p = Process.GetCurrentProcess();
        return p.TotalProcessorTime;
    }
}
