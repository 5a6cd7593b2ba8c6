// ST IIS3DWB register map and fields (datasheet DS13052; the addresses and fields as ST's
// own iis3dwb-pid driver, iis3dwb_reg.h, names them).
#pragma once

#include <cstdint>

namespace chorus::drivers::iis3dwb {

constexpr uint8_t kSpiRead = 0x80;  // SPI: bit 7 of the address byte set to read

constexpr uint8_t kFifoCtrl1 = 0x07;  // WTM[7:0]
constexpr uint8_t kFifoCtrl2 = 0x08;  // bit 0: WTM[8]
constexpr uint8_t kFifoCtrl3 = 0x09;  // BDR_XL[3:0]
constexpr uint8_t kFifoCtrl4 = 0x0A;  // FIFO_MODE[2:0]
constexpr uint8_t kInt1Ctrl = 0x0D;
constexpr uint8_t kWhoAmI = 0x0F;
constexpr uint8_t kCtrl1Xl = 0x10;
constexpr uint8_t kCtrl3C = 0x12;
constexpr uint8_t kFifoStatus1 = 0x3A;  // DIFF_FIFO[7:0]
constexpr uint8_t kFifoStatus2 = 0x3B;  // DIFF_FIFO[9:8] in bits 1:0, flags above
constexpr uint8_t kFifoDataOutTag = 0x78;  // then X_L .. Z_H at 0x79..0x7E: 7 bytes a word

constexpr uint8_t kWhoAmIValue = 0x7B;

constexpr uint8_t kCtrl1XlEnable = 0x5 << 5;  // XL_EN = 101: 26.667 kHz
constexpr uint8_t kCtrl1FsShift = 2;           // FS_XL: 00 +-2 g, 01 +-16 g, 10 +-4 g, 11 +-8 g
constexpr uint8_t kCtrl3SwReset = 0x01;
constexpr uint8_t kCtrl3IfInc = 0x04;
constexpr uint8_t kCtrl3Bdu = 0x40;
constexpr uint8_t kBdrXl26k7 = 0x0A;     // BDR_XL = 1010: batch every sample (26.667 kHz)
constexpr uint8_t kFifoModeBypass = 0x0;
constexpr uint8_t kFifoModeContinuous = 0x6;
constexpr uint8_t kInt1FifoTh = 0x08;
constexpr uint8_t kInt1FifoOvr = 0x10;
constexpr uint8_t kStatus2WtmIa = 0x80;
constexpr uint8_t kStatus2OvrIa = 0x40;
constexpr uint8_t kStatus2FullIa = 0x20;
constexpr uint8_t kStatus2OverrunLatched = 0x08;
constexpr uint8_t kTagSensorShift = 3;   // FIFO_DATA_OUT_TAG: TAG_SENSOR[4:0] in bits 7:3
constexpr uint8_t kTagAccelerometer = 0x02;

constexpr uint32_t kFifoWords = 512;  // 3 kbyte of 6-byte samples
constexpr uint32_t kWordBytes = 7;
constexpr uint32_t kOdrMilliHz = 26667000;  // 26.667 kHz

}  // namespace chorus::drivers::iis3dwb
