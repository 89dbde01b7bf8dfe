package io.segstream.view;

import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.FrameDecoder;
import io.segstream.image.FrameRejectedException;
import io.segstream.image.Images;
import io.segstream.image.MaskCodec;
import io.segstream.image.OverlayRenderer;
import io.segstream.image.RgbImage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What the live view knows of each camera, built from the frames, masks and class-areas topics:
 * the latest frame with its mask overlaid, class areas over time, masks per second, latency, and
 * when the camera last sent. Thread-safe: the topic reader writes, the page's event streams read.
 */
public final class CameraBoard {

  /** Points of the class-area chart kept per camera (about two minutes at 5 frames/s). */
  static final int CHART_POINTS = 600;
  /** Overlays rendered per camera and second at most: rendering and pushing PNGs is the costly part. */
  static final long OVERLAY_INTERVAL_MS = 200;
  /** Frames kept per camera while their masks are on the way. */
  private static final int PENDING_FRAMES = 64;
  /** Window over which masks per second and mean latencies are measured. */
  private static final long RATE_WINDOW_MS = 5_000;

  /** One camera as the page shows it. */
  public record CameraView(
      String streamId,
      boolean stale,
      long sinceLastMaskMs,
      long overlaySeq,
      String overlayPng,
      double masksPerSecond,
      double captureToMaskMs,
      double processingMs,
      List<AreaPoint> newPoints,
      int chartPoints,
      Map<String, String> colours,
      long version) {}

  /** Class fractions of one frame, at the view's clock time it arrived. */
  public record AreaPoint(long atMs, long frameSeq, Map<String, Double> fractions) {}

  private record Arrival(long atMs, double captureToMaskMs, double processingMs) {}

  private static final class Camera {
    final String streamId;
    final LinkedHashMap<Long, ImageFrame> frames = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, ImageFrame> eldest) {
        return size() > PENDING_FRAMES;
      }
    };
    final Deque<Arrival> arrivals = new ArrayDeque<>();
    final Deque<AreaPoint> points = new ArrayDeque<>();
    long pointsAdded;
    long lastMaskAtMs;
    long lastOverlayAtMs;
    long overlaySeq = -1;
    long overlayVersion;
    String overlayPng;
    final Map<String, String> colours = new TreeMap<>();
    long version;

    Camera(String streamId) {
      this.streamId = streamId;
    }
  }

  private final Map<String, Camera> cameras = new TreeMap<>();
  private final FrameDecoder decoder;
  private final OverlayRenderer renderer = new OverlayRenderer(0.55);
  private final LongSupplier clock;
  private final long staleMs;
  private long version;

  /** {@code clock}: milliseconds (System::currentTimeMillis; tests pass their own). */
  public CameraBoard(FrameDecoder decoder, long staleMs, LongSupplier clock) {
    this.decoder = decoder;
    this.staleMs = staleMs;
    this.clock = clock;
  }

  /** A frame, kept until its mask arrives. */
  public synchronized void frame(ImageFrame frame) {
    camera(frame.getStreamId()).frames.put(frame.getFrameSeq(), frame);
  }

  /** A mask: counts for rate and latency, and becomes the camera's overlay when its frame is here. */
  public synchronized void mask(SegmentationMask mask) {
    long now = clock.getAsLong();
    Camera camera = camera(mask.getStreamId());
    camera.lastMaskAtMs = now;
    camera.arrivals.addLast(new Arrival(now, now - mask.getCaptureTimestamp().toEpochMilli(),
        mask.getProcessingLatencyMs()));
    while (camera.arrivals.peekFirst().atMs() < now - RATE_WINDOW_MS) {
      camera.arrivals.removeFirst();
    }
    ImageFrame frame = camera.frames.remove(mask.getFrameSeq());
    // By arrival, not by sequence number: a camera's masks arrive in order, and a restarted camera
    // begins again at 0.
    if (camera.overlayPng == null || now - camera.lastOverlayAtMs >= OVERLAY_INTERVAL_MS) {
      String png = overlay(frame, mask);
      if (png != null) {
        camera.overlayPng = png;
        camera.overlaySeq = mask.getFrameSeq();
        camera.lastOverlayAtMs = now;
        camera.overlayVersion = version + 1;
      }
    }
    changed(camera);
  }

  /** A frame's class areas: one more point on the camera's chart. */
  public synchronized void areas(ClassAreas areas) {
    Camera camera = camera(areas.getStreamId());
    Map<String, Double> fractions = new TreeMap<>();
    for (ClassArea area : areas.getAreas()) {
      fractions.put(area.getLabel(), area.getFraction());
      int[] rgb = OverlayRenderer.colour(area.getClassId());
      camera.colours.put(area.getLabel(), String.format("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]));
    }
    camera.points.addLast(new AreaPoint(clock.getAsLong(), areas.getFrameSeq(), fractions));
    camera.pointsAdded++;
    while (camera.points.size() > CHART_POINTS) {
      camera.points.removeFirst();
    }
    changed(camera);
  }

  /** A version that grows with every change; {@link #awaitChange} waits for it to pass a value. */
  public synchronized long version() {
    return version;
  }

  /** Waits up to {@code timeoutMs} for a change after {@code seen}; the current version. */
  public synchronized long awaitChange(long seen, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    long left;
    while (version <= seen && (left = deadline - System.currentTimeMillis()) > 0) {
      wait(left);
    }
    return version;
  }

  /**
   * Every camera as of now. For a camera changed since {@code sinceVersion} it carries the overlay
   * (when newer than that version) and the chart points added since; staleness is always current.
   * {@code sinceVersion} 0 gives everything (a page that just connected).
   */
  public synchronized List<CameraView> snapshot(long sinceVersion, Map<String, Long> pointsSent) {
    long now = clock.getAsLong();
    List<CameraView> views = new ArrayList<>();
    for (Camera camera : cameras.values()) {
      long since = now - camera.lastMaskAtMs;
      double perSecond = camera.arrivals.stream().filter(a -> a.atMs() >= now - RATE_WINDOW_MS).count()
          / (RATE_WINDOW_MS / 1000.0);
      boolean newOverlay = camera.overlayVersion > sinceVersion;
      long sent = pointsSent.getOrDefault(camera.streamId, 0L);
      long unsent = Math.min(camera.pointsAdded - sent, camera.points.size());
      List<AreaPoint> newPoints = new ArrayList<>(camera.points).subList(camera.points.size() - (int) unsent,
          camera.points.size());
      pointsSent.put(camera.streamId, camera.pointsAdded);
      views.add(new CameraView(camera.streamId, camera.lastMaskAtMs == 0 || since > staleMs, since,
          camera.overlaySeq, newOverlay ? camera.overlayPng : null,
          since > RATE_WINDOW_MS ? 0 : perSecond,
          mean(camera.arrivals, Arrival::captureToMaskMs), mean(camera.arrivals, Arrival::processingMs),
          List.copyOf(newPoints), camera.points.size(), Map.copyOf(camera.colours), camera.version));
    }
    return views;
  }

  private static double mean(Deque<Arrival> arrivals, java.util.function.ToDoubleFunction<Arrival> value) {
    return arrivals.stream().mapToDouble(value).average().orElse(Double.NaN);
  }

  private Camera camera(String streamId) {
    return cameras.computeIfAbsent(streamId, Camera::new);
  }

  private void changed(Camera camera) {
    camera.version = ++version;
    notifyAll();
  }

  /** The mask over its frame (or the mask alone when the frame is gone or unusable) as a base64 PNG. */
  private String overlay(ImageFrame frame, SegmentationMask mask) {
    try {
      return Base64.getEncoder().encodeToString(Images.png(renderer.renderOrColourise(usable(frame), MaskCodec.decode(mask))));
    } catch (IOException e) {
      return null; // an unreadable mask: nothing to show
    }
  }

  private RgbImage usable(ImageFrame frame) {
    try {
      return frame == null ? null : decoder.decode(frame);
    } catch (FrameRejectedException e) {
      return null;
    }
  }
}
