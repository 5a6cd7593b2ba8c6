// ST LIS3DH register map and bit fields, from the datasheet DocID17530 Rev 2:
// section 7 (Register mapping, Table 17) and section 8 (Registers description), cross-checked
// against ST's lis3dh_reg.h (STMems_Standard_C_drivers).
#pragma once

#include <cstdint>

namespace chorus::drivers::lis3dh {

// I2C slave address 001100xb, x = SA0 pin (DocID17530 §6.1.1).
constexpr uint8_t kAddressSa0Low = 0x18;
constexpr uint8_t kAddressSa0High = 0x19;
// SUB(7) = 1 makes the sub-address auto-increment in multi-byte transfers (§6.1.1).
constexpr uint8_t kAutoIncrement = 0x80;

constexpr uint8_t kWhoAmI = 0x0F;  // reads 0x33 (§8, WHO_AM_I)
constexpr uint8_t kWhoAmIValue = 0x33;
constexpr uint8_t kCtrlReg1 = 0x20;
constexpr uint8_t kCtrlReg2 = 0x21;
constexpr uint8_t kCtrlReg3 = 0x22;
constexpr uint8_t kCtrlReg4 = 0x23;
constexpr uint8_t kCtrlReg5 = 0x24;
constexpr uint8_t kCtrlReg6 = 0x25;
constexpr uint8_t kStatusReg = 0x27;
constexpr uint8_t kOutXL = 0x28;  // OUT_X_L..OUT_Z_H: 0x28..0x2D, little-endian when BLE = 0
constexpr uint8_t kFifoCtrlReg = 0x2E;
constexpr uint8_t kFifoSrcReg = 0x2F;

// CTRL_REG1: ODR[3:0] in bits 7:4, LPen bit 3, Zen Yen Xen bits 2:0.
constexpr uint8_t kCtrl1OdrShift = 4;
constexpr uint8_t kCtrl1LowPower = 0x08;
constexpr uint8_t kCtrl1XyzEnable = 0x07;

// CTRL_REG3: interrupt routing to INT1.
constexpr uint8_t kCtrl3I1Wtm = 0x04;
constexpr uint8_t kCtrl3I1Overrun = 0x02;

// CTRL_REG4: BDU bit 7, BLE bit 6, FS[1:0] bits 5:4, HR bit 3, ST[1:0] bits 2:1.
constexpr uint8_t kCtrl4Bdu = 0x80;
constexpr uint8_t kCtrl4FsShift = 4;
constexpr uint8_t kCtrl4HighResolution = 0x08;
constexpr uint8_t kCtrl4SelfTest0 = 0x02;  // ST = 01

// CTRL_REG5: BOOT bit 7, FIFO_EN bit 6.
constexpr uint8_t kCtrl5FifoEnable = 0x40;

// STATUS_REG: ZYXDA bit 3.
constexpr uint8_t kStatusZyxda = 0x08;

// FIFO_CTRL_REG: FM[1:0] bits 7:6 (00 bypass, 01 FIFO, 10 stream, 11 stream-to-FIFO),
// TR bit 5, FTH[4:0] (§5.1, §8 FIFO_CTRL_REG).
constexpr uint8_t kFifoModeBypass = 0x00;
constexpr uint8_t kFifoModeStream = 0x80;
constexpr uint8_t kFifoThresholdMask = 0x1F;

// FIFO_SRC_REG: WTM bit 7, OVRN_FIFO bit 6, EMPTY bit 5, FSS[4:0] unread samples.
constexpr uint8_t kFifoSrcWtm = 0x80;
constexpr uint8_t kFifoSrcOverrun = 0x40;
constexpr uint8_t kFifoSrcEmpty = 0x20;
constexpr uint8_t kFifoSrcLevelMask = 0x1F;

constexpr int kFifoDepth = 32;  // 32 levels of X, Y, Z (§5.1)

// Self-test output change |ST - no ST| at FS = +-2 g, normal (10-bit) mode: 17..360 LSb
// (Table 4, Vst); procedure as ST's lis3dh_self_test.c example (5 averaged samples each).
constexpr int kSelfTestMinLsb = 17;
constexpr int kSelfTestMaxLsb = 360;

}  // namespace chorus::drivers::lis3dh
