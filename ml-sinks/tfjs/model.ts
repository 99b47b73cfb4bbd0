/**
 * The classifier: the blog notebook's model by default (Dense 128 relu → Dense 10 logits, Adam 0.001,
 * sparse categorical cross-entropy from logits), with configurable hidden layers. Training steps are
 * written out (loss = softmax cross-entropy of one-hot labels against the logits, which is the sparse
 * categorical cross-entropy from logits), so no compile step is needed.
 */
import { tf } from './backend.js';

export interface ClassifierShape {
  inputs: number;
  hidden: number[];
  classes: number;
  learningRate: number;
  seed: number;
}

export class Classifier {
  private readonly optimizer: tf.Optimizer;
  private readonly vars: tf.Variable[];

  private constructor(
    readonly shape: ClassifierShape,
    readonly model: tf.LayersModel,
  ) {
    this.optimizer = tf.train.adam(shape.learningRate);
    this.vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  static create(shape: ClassifierShape): Classifier {
    const model = tf.sequential();
    shape.hidden.forEach((units, i) => {
      model.add(tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: shape.seed + i }),
        ...(i === 0 ? { inputShape: [shape.inputs] } : {}),
      }));
    });
    model.add(tf.layers.dense({
      units: shape.classes,
      kernelInitializer: tf.initializers.glorotUniform({ seed: shape.seed + shape.hidden.length }),
      ...(shape.hidden.length === 0 ? { inputShape: [shape.inputs] } : {}),
    }));
    return new Classifier(shape, model);
  }

  /** One optimizer step on `n` samples (`x` n × inputs, already scaled); returns the mean loss. */
  trainStep(x: Float32Array, labels: Int32Array, n: number): number {
    const loss = tf.tidy(() => {
      const xs = tf.tensor2d(x, [n, this.shape.inputs]);
      const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), this.shape.classes);
      return this.optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(ys, this.model.apply(xs, { training: true }) as tf.Tensor2D) as tf.Scalar,
        true,
        this.vars,
      )!;
    });
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }

  /** Class probabilities (softmax of the logits) of `n` samples, n × classes. */
  probabilities(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => tf.softmax(this.model.predict(tf.tensor2d(x, [n, this.shape.inputs])) as tf.Tensor2D).dataSync() as Float32Array);
  }

  /** The model in the tfjs LayersModel format: topology + weight manifest (JSON) and the weight bytes. */
  async save(): Promise<{ modelJson: string; weights: Uint8Array }> {
    let out: { modelJson: string; weights: Uint8Array } | null = null;
    await this.model.save(
      tf.io.withSaveHandler(async (a) => {
        const data = a.weightData;
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(tf.io.concatenateArrayBuffers(data ?? []));
        out = {
          modelJson: JSON.stringify({
            modelTopology: a.modelTopology,
            format: 'layers-model',
            generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
            convertedBy: null,
            weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
          }),
          weights: bytes,
        };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return out!;
  }

  /** Loads a model saved by `save` (the Adam moments start afresh). */
  static async load(shape: ClassifierShape, modelJson: string, weights: Uint8Array): Promise<Classifier> {
    const j = JSON.parse(modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    const buf = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: j.modelTopology, weightSpecs: j.weightsManifest[0]!.weights, weightData: buf }));
    return new Classifier(shape, model);
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }
}
