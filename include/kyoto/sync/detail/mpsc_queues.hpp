// The two queues under kyoto::mpsc: many producers, one consumer.
//
// ring_queue (bounded): a ring of cells, each with a sequence number.
// A producer claims position p by CAS on tail_ when cell[p].seq == p,
// writes the value, then publishes seq = p + 1 (release). The consumer
// reads cell[head].seq (acquire): == head + 1 means the value is there;
// it moves the value out and frees the cell for the next lap with
// seq = head + capacity. A claimed but not yet published cell reads as
// empty; its producer wakes the consumer after publishing.
//
// linked_queue (unbounded): a singly linked list with a stub node.
// Producers exchange tail_ (one atomic swap) and then link the previous
// tail to the new node (release). The consumer follows head_->next
// (acquire). Between a producer's swap and its link the list looks empty
// past that point; that producer wakes the consumer after linking.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <utility>

#include "kyoto/detail/sync_primitives.hpp"

namespace kyoto::detail {

template <class T>
class ring_queue {
 public:
  explicit ring_queue(std::size_t min_capacity) {
    std::size_t cap = 1;
    while (cap < min_capacity) cap <<= 1;
    mask_ = cap - 1;
    cells_ = std::make_unique<cell[]>(cap);
    for (std::size_t i = 0; i < cap; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
  }
  ~ring_queue() {
    while (pop()) {
    }
  }

  /// False when full.
  bool push(T&& v) {
    std::size_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      cell& c = cells_[pos & mask_];
      std::size_t seq = c.seq.load(std::memory_order_acquire);
      auto diff = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
      if (diff == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          ::new (static_cast<void*>(&c.storage)) T(std::move(v));
          c.seq.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  /// Consumer only.
  std::optional<T> pop() {
    cell& c = cells_[head_ & mask_];
    if (c.seq.load(std::memory_order_acquire) != head_ + 1) return std::nullopt;
    T* p = std::launder(reinterpret_cast<T*>(&c.storage));
    std::optional<T> out(std::move(*p));
    p->~T();
    c.seq.store(head_ + mask_ + 1, std::memory_order_release);
    ++head_;
    return out;
  }

 private:
  struct cell {
    atomic<std::size_t> seq{0};
    alignas(T) unsigned char storage[sizeof(T)];
  };
  std::unique_ptr<cell[]> cells_;
  std::size_t mask_ = 0;
  alignas(64) atomic<std::size_t> tail_{0};
  alignas(64) std::size_t head_ = 0;
};

template <class T>
class linked_queue {
 public:
  linked_queue() : head_(new node), tail_(head_) {}
  ~linked_queue() {
    while (pop()) {
    }
    delete head_;
  }

  void push(T&& v) {
    node* n = new node;
    n->value.emplace(std::move(v));
    node* prev = tail_.exchange(n, std::memory_order_acq_rel);
    prev->next.store(n, std::memory_order_release);
  }

  /// Consumer only.
  std::optional<T> pop() {
    node* next = head_->next.load(std::memory_order_acquire);
    if (!next) return std::nullopt;
    std::optional<T> out(std::move(*next->value));
    next->value.reset();
    delete head_;
    head_ = next;  // next becomes the stub
    return out;
  }

 private:
  struct node {
    atomic<node*> next{nullptr};
    std::optional<T> value;
  };
  node* head_;
  alignas(64) atomic<node*> tail_;
};

}  // namespace kyoto::detail
