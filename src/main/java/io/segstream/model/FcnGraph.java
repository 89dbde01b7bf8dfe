package io.segstream.model;

import org.tensorflow.Operand;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The tensors of one built FCN.
 *
 * @param image input [N, H, W, 3], RGB scaled to [0, 1] (pixel / 255)
 * @param logits class scores before softmax [N, H, W, C]
 * @param probabilities softmax of the logits [N, H, W, C]
 * @param classes argmax class id per pixel [N, H, W]
 */
public record FcnGraph(
    Placeholder<TFloat32> image,
    Operand<TFloat32> logits,
    Operand<TFloat32> probabilities,
    Operand<TInt32> classes) {}
