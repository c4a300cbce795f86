// The dlib DNN translation unit (see face_network.h).
#include "validator/face_network.h"

#include <chrono>
#include <functional>
#include <mutex>
#include <type_traits>
#include <vector>

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/opencv/cv_image.h>

#include "absl/strings/str_cat.h"
#include "validator/face_model_file.h"

namespace gradcap::validator {
namespace {

// dlib's network for dlib_face_recognition_resnet_model_v1 (as in dlib's
// dnn_face_recognition_ex.cpp): a ResNet of 29 convolutions, each followed by
// a per-channel affine (batch norm folded at training), and a 128-d fc.
template <template <int, template <typename> class, int, typename> class Block, int N,
          template <typename> class BN, typename SUBNET>
using residual = dlib::add_prev1<Block<N, BN, 1, dlib::tag1<SUBNET>>>;
template <template <int, template <typename> class, int, typename> class Block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down =
    dlib::add_prev2<dlib::avg_pool<2, 2, 2, 2, dlib::skip1<dlib::tag2<Block<N, BN, 2, dlib::tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int Stride, typename SUBNET>
using block = BN<dlib::con<N, 3, 3, 1, 1, dlib::relu<BN<dlib::con<N, 3, 3, Stride, Stride, SUBNET>>>>>;
template <int N, typename SUBNET>
using ares = dlib::relu<residual<block, N, dlib::affine, SUBNET>>;
template <int N, typename SUBNET>
using ares_down = dlib::relu<residual_down<block, N, dlib::affine, SUBNET>>;
template <typename SUBNET> using level0 = ares_down<256, SUBNET>;
template <typename SUBNET> using level1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using level2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using level3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using level4 = ares<32, ares<32, ares<32, SUBNET>>>;
using Net = dlib::loss_metric<dlib::fc_no_bias<
    kFaceDescriptorDims,
    dlib::avg_pool_everything<level0<level1<level2<level3<level4<dlib::max_pool<
        3, 3, 2, 2, dlib::relu<dlib::affine<dlib::con<32, 7, 7, 2, 2, dlib::input_rgb_image_sized<150>>>>>>>>>>>>>;

constexpr int kChipSize = 150;
constexpr double kChipPadding = 0.25;

template <typename L>
struct IsCon : std::false_type {};
template <long N, long R, long C, int SY, int SX, int PY, int PX>
struct IsCon<dlib::con_<N, R, C, SY, SX, PY, PX>> : std::true_type {};
template <typename L>
struct IsFc : std::false_type {};
template <unsigned long N>
struct IsFc<dlib::fc_<N, dlib::FC_NO_BIAS>> : std::true_type {};

// Copies the TF.js tensors into the network's layers, input end first.
// Filters go from TF.js's HWIO to dlib's OIHW, followed by the biases in the
// same parameter block; affine layers take TF's scale/weights and biases.
absl::Status Fill(Net& net, const FaceModelWeights& w) {
  std::vector<std::function<absl::Status(size_t&)>> fills;
  dlib::visit_computational_layers(net, [&](auto& layer) {
    using L = std::decay_t<decltype(layer)>;
    fills.push_back([&layer, &w](size_t& next) -> absl::Status {
      const auto take = [&](size_t count) -> absl::StatusOr<const FaceModelTensor*> {
        if (next + count > w.tensors.size()) return absl::InternalError("face network: more layers than tensors");
        return &w.tensors[(next += count) - count];
      };
      if constexpr (IsCon<L>::value) {
        auto t = take(2);
        if (!t.ok()) return t.status();
        const FaceModelTensor& f = (*t)[0];
        const FaceModelTensor& b = (*t)[1];
        const int H = f.shape[0], W = f.shape[1], I = f.shape[2], O = f.shape[3];
        dlib::tensor& p = layer.get_layer_params();
        if (p.size() != size_t(O) * I * H * W + O) {
          return absl::InternalError(absl::StrCat("face network: ", f.name, " does not fit its layer"));
        }
        float* d = p.host();
        for (int o = 0; o < O; ++o)
          for (int i = 0; i < I; ++i)
            for (int y = 0; y < H; ++y)
              for (int x = 0; x < W; ++x) d[((o * I + i) * H + y) * W + x] = f.values[((y * W + x) * I + i) * O + o];
        std::copy(b.values.begin(), b.values.end(), d + size_t(O) * I * H * W);
      } else if constexpr (std::is_same_v<L, dlib::affine_>) {
        auto t = take(2);
        if (!t.ok()) return t.status();
        auto gamma = layer.get_gamma();
        auto beta = layer.get_beta();
        if (gamma.size() != (*t)[0].values.size()) {
          return absl::InternalError(absl::StrCat("face network: ", (*t)[0].name, " does not fit its layer"));
        }
        std::copy((*t)[0].values.begin(), (*t)[0].values.end(), gamma.host());
        std::copy((*t)[1].values.begin(), (*t)[1].values.end(), beta.host());
      } else if constexpr (IsFc<L>::value) {
        auto t = take(1);
        if (!t.ok()) return t.status();
        dlib::tensor& p = layer.get_layer_params();
        if (p.size() != (*t)->values.size()) return absl::InternalError("face network: fc does not fit its layer");
        std::copy((*t)->values.begin(), (*t)->values.end(), p.host());  // inputs × outputs, as in TF
      }
      return absl::OkStatus();
    });
  });
  size_t next = 0;
  for (auto it = fills.rbegin(); it != fills.rend(); ++it) {  // visiting starts at the loss
    if (absl::Status s = (*it)(next); !s.ok()) return s;
  }
  if (next != w.tensors.size()) {
    return absl::InternalError(absl::StrCat("face network: used ", next, " of ", w.tensors.size(), " tensors"));
  }
  return absl::OkStatus();
}

}  // namespace

struct FaceNetwork::Impl {
  mutable std::mutex mu;  // dlib's network keeps its activations between calls
  mutable Net net;
};

FaceNetwork::FaceNetwork(std::unique_ptr<Impl> impl, std::string model)
    : impl_(std::move(impl)), model_(std::move(model)) {}
FaceNetwork::~FaceNetwork() = default;

absl::StatusOr<std::unique_ptr<FaceNetwork>> FaceNetwork::Load(const std::string& dir) {
  auto weights = LoadFaceModel(dir);
  if (!weights.ok()) return weights.status();
  return Build(*weights);
}

absl::StatusOr<std::unique_ptr<FaceNetwork>> FaceNetwork::Build(const FaceModelWeights& weights) {
  auto impl = std::make_unique<Impl>();
  // Per-channel affine layers, as the model was trained; parameters exist
  // only once a first pass has sized every layer.
  dlib::visit_computational_layers(impl->net, [](auto& layer) {
    if constexpr (std::is_same_v<std::decay_t<decltype(layer)>, dlib::affine_>) layer = dlib::affine_(dlib::CONV_MODE);
  });
  dlib::matrix<dlib::rgb_pixel> blank(kChipSize, kChipSize);
  dlib::assign_all_pixels(blank, dlib::rgb_pixel(0, 0, 0));
  impl->net(blank);
  if (absl::Status s = Fill(impl->net, weights); !s.ok()) return s;
  // One timed pass: how fast this machine's BLAS runs the network.
  const auto start = std::chrono::steady_clock::now();
  impl->net(blank);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  auto network = std::unique_ptr<FaceNetwork>(new FaceNetwork(std::move(impl), weights.model));
  network->first_pass_ms_ = ms;
  return network;
}

cv::Mat FaceNetwork::Chip(const cv::Mat& bgr, const Face& face) const {
  std::vector<dlib::point> parts;
  parts.reserve(face.points.size());
  for (const cv::Point2f& p : face.points) parts.emplace_back(std::lround(p.x), std::lround(p.y));
  const dlib::rectangle box(std::lround(face.box.x), std::lround(face.box.y),
                            std::lround(face.box.x + face.box.width), std::lround(face.box.y + face.box.height));
  const dlib::full_object_detection shape(box, parts);
  dlib::cv_image<dlib::bgr_pixel> image(bgr);
  dlib::matrix<dlib::rgb_pixel> chip;
  dlib::extract_image_chip(image, dlib::get_face_chip_details(shape, kChipSize, kChipPadding), chip);
  cv::Mat out(kChipSize, kChipSize, CV_8UC3);
  for (int r = 0; r < kChipSize; ++r) {
    for (int c = 0; c < kChipSize; ++c) {
      const dlib::rgb_pixel& p = chip(r, c);
      out.at<cv::Vec3b>(r, c) = cv::Vec3b(p.red, p.green, p.blue);
    }
  }
  return out;
}

FaceVector FaceNetwork::DescribeChip(const cv::Mat& rgb_chip) const {
  FaceVector out{};
  if (rgb_chip.rows != kChipSize || rgb_chip.cols != kChipSize || rgb_chip.type() != CV_8UC3) return out;
  dlib::matrix<dlib::rgb_pixel> chip(kChipSize, kChipSize);
  for (int r = 0; r < kChipSize; ++r) {
    for (int c = 0; c < kChipSize; ++c) {
      const cv::Vec3b& p = rgb_chip.at<cv::Vec3b>(r, c);
      chip(r, c) = dlib::rgb_pixel(p[0], p[1], p[2]);
    }
  }
  std::lock_guard<std::mutex> lock(impl_->mu);
  const dlib::matrix<float, 0, 1> d = impl_->net(chip);
  for (int i = 0; i < kFaceDescriptorDims; ++i) out[i] = d(i);
  return out;
}

FaceVector FaceNetwork::Describe(const cv::Mat& bgr, const Face& face) const {
  return DescribeChip(Chip(bgr, face));
}

}  // namespace gradcap::validator
